/**
 * The engagement sources read back the attribution values ESP Dispatch writes `b64-` + base64url
 * (Brevo's X-Mailin-custom, Mailgun's user-variables, SES and Resend tags: carriers that must be
 * ASCII or tag-safe), so a campaign "Été 2025" or a variant "größer" comes back exactly as
 * properties.campaign_id / variant. The payloads are the documented fixtures (test/fixtures/events)
 * with the carrier set by hand; encoded forms computed with Python's base64.urlsafe_b64encode
 * (padding stripped): 'Été 2025' → w4l0w6kgMjAyNQ, 'größer' → Z3LDtsOfZXI, 'VIP ♥' → VklQIOKZpQ,
 * 'exp/2025' → ZXhwLzIwMjU, 'b64-x' → YjY0LXg, 'a.b' → YS5i, 'abc' → YWJj, 'm.1' → bS4x,
 * the byte 0xFF → _w.
 *
 * A `b64-` value this package would not write (the tag-safe 'abc' encoded, padding, bytes that are
 * not UTF-8, nothing after the prefix, or a `b64-x` sent before values were encoded) comes back as
 * it came: it is what was sent, and no value ESP Dispatch writes now reads as it. Carriers ESP
 * Dispatch does not encode (Brevo's tags, SendGrid custom args, Postmark metadata) are read as
 * they are.
 */
import { decodeAttributionValue } from '../../../nodes/engines/types/attribution';
import { fixtureBody, normalizeAs, resendOpenWithTags, sesOpenWithTags } from '../../harness/event-fixtures';

const ENCODED = {
	pz_message_id: 'b64-bS4x',
	pz_campaign_id: 'b64-w4l0w6kgMjAyNQ',
	pz_variant: 'b64-Z3LDtsOfZXI',
	pz_segment: 'b64-VklQIOKZpQ',
	pz_experiment_id: 'b64-ZXhwLzIwMjU',
};
const DECODED = { email_id: 'm.1', campaign_id: 'Été 2025', variant: 'größer', segment: 'VIP ♥', experiment_id: 'exp/2025' };
/** Not written by ESP Dispatch: kept as they came. */
const FOREIGN = ['b64-x', 'b64-YWJj', 'b64-w4l0w6kgMjAyNQ==', 'b64-_w', 'b64-'];

const props = (source: string, payload: unknown) => {
	const events = normalizeAs(source, payload);
	expect(events).toHaveLength(1);
	return events[0].properties;
};
const attribution = (p: Record<string, unknown>) => ({ email_id: p.email_id, campaign_id: p.campaign_id, variant: p.variant, segment: p.segment, experiment_id: p.experiment_id });

const brevoOpen = (custom: unknown, tags?: unknown) => ({ ...fixtureBody('brevo', 'opened'), 'X-Mailin-custom': custom, ...(tags === undefined ? {} : { tags }) });
function mailgunOpen(variables: unknown): Record<string, unknown> {
	const body = fixtureBody('mailgun', 'opened');
	body['event-data'] = { ...(body['event-data'] as object), 'user-variables': variables };
	return body;
}
const sesOpen = (tags: Record<string, string>) => sesOpenWithTags(Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]])));
const resendOpen = resendOpenWithTags;

describe('decodeAttributionValue', () => {
	it('decodes what ESP Dispatch writes, keeps anything else as it is', () => {
		expect(decodeAttributionValue('b64-w4l0w6kgMjAyNQ')).toBe('Été 2025');
		expect(decodeAttributionValue('b64-YjY0LXg')).toBe('b64-x');
		expect(decodeAttributionValue('b64-YS5i')).toBe('a.b');
		for (const value of ['spring', 'Été 2025', '', ...FOREIGN]) expect(decodeAttributionValue(value)).toBe(value);
	});
});

describe('the sources decode the carriers ESP Dispatch writes encoded', () => {
	it('Brevo: X-Mailin-custom as JSON and as pairs', () => {
		expect(attribution(props('brevo', brevoOpen(JSON.stringify(ENCODED))))).toEqual(DECODED);
		const pairs = Object.entries(ENCODED).map(([k, v]) => `${k}:${v}`).join('|');
		expect(attribution(props('brevo', brevoOpen(pairs)))).toEqual(DECODED);
	});

	it('Brevo: the header wins over the tags; tags (which ESP Dispatch does not write) are read as they are', () => {
		const p = props('brevo', brevoOpen('{"pz_variant":"b64-Z3LDtsOfZXI"}', ['pz_variant:A', 'pz_campaign_id:b64-YS5i']));
		expect([p.variant, p.campaign_id]).toEqual(['größer', 'b64-YS5i']);
	});

	it('Mailgun: user-variables', () => {
		expect(attribution(props('mailgun', mailgunOpen(ENCODED)))).toEqual(DECODED);
	});

	it('Amazon SES: message tags', () => {
		expect(attribution(props('ses', sesOpen(ENCODED)))).toEqual(DECODED);
	});

	it('Resend: tags as an object and as the older list', () => {
		expect(attribution(props('resend', resendOpen(ENCODED)))).toEqual(DECODED);
		expect(attribution(props('resend', resendOpen(Object.entries(ENCODED).map(([name, value]) => ({ name, value })))))).toEqual(DECODED);
	});

	it('a user value that started with b64- comes back as it was', () => {
		const meta = { pz_campaign_id: 'b64-YjY0LXg' };
		expect(props('brevo', brevoOpen(JSON.stringify(meta))).campaign_id).toBe('b64-x');
		expect(props('mailgun', mailgunOpen(meta)).campaign_id).toBe('b64-x');
		expect(props('ses', sesOpen(meta)).campaign_id).toBe('b64-x');
		expect(props('resend', resendOpen(meta)).campaign_id).toBe('b64-x');
	});

	it('a b64- value ESP Dispatch would not write is kept as it came', () => {
		for (const value of FOREIGN) {
			const meta = { pz_variant: value, pz_campaign_id: value };
			for (const p of [props('brevo', brevoOpen(JSON.stringify(meta))), props('mailgun', mailgunOpen(meta)), props('ses', sesOpen(meta)), props('resend', resendOpen(meta))]) {
				expect([value, p.variant, p.campaign_id]).toEqual([value, value, value]);
			}
		}
	});

	it('the userId next to them is still decoded as before', () => {
		const meta = { ...ENCODED, pz_user_id: 'b64-YS5i' };
		for (const p of [props('brevo', brevoOpen(JSON.stringify(meta))), props('mailgun', mailgunOpen(meta)), props('ses', sesOpen(meta)), props('resend', resendOpen(meta))]) {
			expect(p).toMatchObject({ ...DECODED, user_id: 'a.b' });
		}
	});
});

describe('carriers ESP Dispatch writes as they are are read as they are', () => {
	it('SendGrid custom args and Postmark metadata: a b64- value is the value', () => {
		const open = (fixtureBody('sendgrid', 'batch-all-events') as unknown as Array<Record<string, unknown>>).find((e) => e.event === 'open')!;
		const sg = normalizeAs('sendgrid', [{ ...open, pz_campaign_id: 'b64-YS5i' }]);
		expect(sg[0].properties.campaign_id).toBe('b64-YS5i');
		const pm = fixtureBody('postmark', 'open');
		pm.Metadata = { pz_variant: 'b64-Z3LDtsOfZXI' };
		expect(props('postmark', pm).variant).toBe('b64-Z3LDtsOfZXI');
	});
});
