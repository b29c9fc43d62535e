/**
 * The recipient's userId ESP Dispatch writes into the provider metadata (`pz_user_id`) comes back
 * from each provider's engagement webhook as `properties.user_id`, next to the campaign and the
 * variant; the event's own `userId` stays null (the event folds into the profile of the address it
 * reached: the sending workflow's userId need not be the id the profile keeps for it). The payloads are the
 * documented fixtures (test/fixtures/events) with the carrier each provider uses for our metadata
 * set by hand. Values written tag-safe for SES and Resend were encoded by hand with Python's
 * base64.urlsafe_b64encode (padding stripped): 'auth0|5f1b2c' → YXV0aDB8NWYxYjJj,
 * 'ada@example.com' → YWRhQGV4YW1wbGUuY29t, 'Zoë' → Wm_Dqw, 'b64-abc' → YjY0LWFiYw, 'abc' → YWJj,
 * the byte 0xFF → _w.
 */
import { addAttribution, attributionToMetadata, decodeTagValue, encodeTagValue, userIdOf } from '../../../nodes/engines/types/attribution';
import { addPairsAttribution } from '../../../nodes/engines/events/util';
import { fixtureBody, normalizeAs, resendOpenWithTags, sesOpenWithTags } from '../../harness/event-fixtures';

const one = (source: string, payload: unknown) => {
	const events = normalizeAs(source, payload);
	expect(events).toHaveLength(1);
	return events[0];
};

const sesOpen = sesOpenWithTags;
const resendOpen = resendOpenWithTags;

describe('engagement events carry pz_user_id as properties.user_id', () => {
	it('SendGrid: a custom arg, top-level in the event', () => {
		const open = (fixtureBody('sendgrid', 'batch-all-events') as unknown as Array<Record<string, unknown>>).find((e) => e.event === 'open')!;
		const event = one('sendgrid', [{ ...open, pz_user_id: 'cust-1', pz_campaign_id: 'spring' }]);
		expect(event.properties).toMatchObject({ campaign_id: 'spring', user_id: 'cust-1' });
		expect(event.userId).toBeNull();
		expect(event.email).toBeTruthy();
		expect(event.anonymousId).toBeNull();
	});

	it('Postmark: in Metadata', () => {
		const body = fixtureBody('postmark', 'open');
		body.Metadata = { ...(body.Metadata as object), pz_user_id: 'cust-2' };
		const event = one('postmark', body);
		expect(event.properties.user_id).toBe('cust-2');
		expect([event.userId, event.anonymousId]).toEqual([null, null]);
	});

	it('Mailgun: in user-variables, also when Mailgun gives a number back (its custom data is JSON)', () => {
		const body = fixtureBody('mailgun', 'opened');
		const data = body['event-data'] as Record<string, unknown>;
		data['user-variables'] = { pz_user_id: 'cust-3', pz_message_id: 'm3' };
		expect(one('mailgun', body).properties.user_id ?? null).toBe('cust-3');
		data['user-variables'] = { pz_user_id: 4711 };
		expect(one('mailgun', body).properties.user_id ?? null).toBe('4711');
		// 12345678901234567890 as a JavaScript number is 12345678901234567000: not the id that was sent
		data['user-variables'] = { pz_user_id: 12345678901234567890 };
		expect(one('mailgun', body).properties.user_id ?? null).toBeNull();
		data['user-variables'] = { pz_user_id: 1.5 };
		expect(one('mailgun', body).properties.user_id ?? null).toBeNull();
	});

	it('Brevo: in the X-Mailin-custom JSON ESP Dispatch writes, or as pairs; the header wins over the tags', () => {
		const body = fixtureBody('brevo', 'opened');
		body['X-Mailin-custom'] = JSON.stringify({ pz_message_id: 'm4', pz_user_id: 'auth0|5f1b2c' });
		const event = one('brevo', body);
		expect(event.properties.user_id).toBe('auth0|5f1b2c');
		expect(event.properties).toMatchObject({ email_id: 'm4' });
		body['X-Mailin-custom'] = 'pz_message_id:m4|pz_user_id:cust-4';
		expect(one('brevo', body).properties.user_id ?? null).toBe('cust-4');
		body.tags = ['pz_user_id:from-tag'];
		expect(one('brevo', body).properties.user_id ?? null).toBe('cust-4');
		delete body['X-Mailin-custom'];
		expect(one('brevo', body).properties.user_id ?? null).toBe('from-tag');
		body['X-Mailin-custom'] = '{"pz_user_id":""}';
		expect(one('brevo', body).properties.user_id ?? null).toBe('from-tag');
	});

	it('Amazon SES: a message tag, decoded when written tag-safe', () => {
		expect(one('ses', sesOpen({ pz_user_id: ['cust_5'] })).properties.user_id ?? null).toBe('cust_5');
		expect(one('ses', sesOpen({ pz_user_id: ['b64-YXV0aDB8NWYxYjJj'] })).properties.user_id ?? null).toBe('auth0|5f1b2c');
		expect(one('ses', sesOpen({ pz_user_id: ['b64-Wm_Dqw'] })).properties.user_id ?? null).toBe('Zoë');
		expect(one('ses', sesOpen({ pz_user_id: ['b64-YjY0LWFiYw'] })).properties.user_id ?? null).toBe('b64-abc');
	});

	it('Amazon SES: an event listing several recipients gives the userId to none of them', () => {
		const body = fixtureBody('ses', 'bounce');
		const message = JSON.parse(body.Message as string) as { mail: Record<string, unknown>; bounce: { bouncedRecipients: unknown[] } };
		message.mail.tags = { pz_user_id: ['cust-6'] };
		const bounced = message.bounce.bouncedRecipients[0] as Record<string, unknown>;
		message.bounce.bouncedRecipients = [bounced, { ...bounced, emailAddress: 'other@example.com' }];
		body.Message = JSON.stringify(message);
		const events = normalizeAs('ses', body);
		expect(events.map((e) => [e.email, e.properties.user_id ?? null])).toEqual([
			[String(bounced.emailAddress).toLowerCase(), null],
			['other@example.com', null],
		]);
		message.bounce.bouncedRecipients = [bounced];
		body.Message = JSON.stringify(message);
		expect(one('ses', body).properties.user_id ?? null).toBe('cust-6');
	});

	it('Resend: a tag (object or the older list), decoded when written tag-safe', () => {
		expect(one('resend', resendOpen({ pz_user_id: 'cust-7', pz_message_id: 'm7' })).properties.user_id ?? null).toBe('cust-7');
		expect(one('resend', resendOpen([{ name: 'pz_user_id', value: 'b64-YWRhQGV4YW1wbGUuY29t' }])).properties.user_id ?? null).toBe('ada@example.com');
	});

	it('a tag value this package would not write is not guessed at: no userId', () => {
		for (const value of ['b64-', 'b64-YWJj' /* "abc" is written as it is */, 'b64-_w' /* 0xFF is not UTF-8 */, 'b64-YXV0aDB8NWYxYjJ', 'b64-Wm_Dqw==']) {
			expect([value, one('ses', sesOpen({ pz_user_id: [value] })).properties.user_id ?? null]).toEqual([value, null]);
			expect([value, one('resend', resendOpen({ pz_user_id: value })).properties.user_id ?? null]).toEqual([value, null]);
		}
	});

	it('without pz_user_id there is no user_id, and an event without an address keeps its messageId as anonymousId', () => {
		const body = fixtureBody('postmark', 'open');
		const plain = one('postmark', body);
		expect([plain.userId, plain.anonymousId, plain.properties.user_id]).toEqual([null, null, undefined]);
		delete body.Recipient;
		const anonymous = one('postmark', body);
		expect(anonymous.email).toBeNull();
		expect(anonymous.anonymousId).toBe(anonymous.messageId);
		// a pz_user_id is no identity of the event: still the messageId as anonymousId
		body.Metadata = { pz_user_id: 'cust-8' };
		const known = one('postmark', body);
		expect([known.email, known.userId, known.anonymousId, known.properties.user_id]).toEqual([null, null, known.messageId, 'cust-8']);
	});
});

describe('userIdOf, encodeTagValue, decodeTagValue', () => {
	it('dispatch writes the userId as pz_user_id, after the other keys (read back as properties.user_id, not by addAttribution)', () => {
		const metadata = attributionToMetadata({ userId: 'u1', messageId: 'm1', campaignId: 'c1' });
		expect(Object.entries(metadata)).toEqual([
			['pz_message_id', 'm1'],
			['pz_campaign_id', 'c1'],
			['pz_user_id', 'u1'],
		]);
		expect(attributionToMetadata({ messageId: 'm1', userId: '' })).toEqual({ pz_message_id: 'm1' });
		const properties: Record<string, unknown> = {};
		addAttribution(properties, metadata);
		expect(properties).toEqual({ email_id: 'm1', campaign_id: 'c1' });
		expect(userIdOf(metadata)).toBe('u1');
	});

	it('userIdOf reads a non-empty string or a safe integer, nothing else', () => {
		expect(userIdOf({ pz_user_id: 'u' })).toBe('u');
		expect(userIdOf({ pz_user_id: 0 })).toBe('0');
		for (const value of ['', null, undefined, true, {}, ['u'], Number.NaN, 2 ** 53]) expect(userIdOf({ pz_user_id: value })).toBeNull();
		for (const carrier of [null, undefined, 'pz_user_id:u', 5]) expect(userIdOf(carrier)).toBeNull();
	});

	it('encodes only what tags cannot carry as it is, reversibly', () => {
		expect(encodeTagValue('cust_123-A')).toBe('cust_123-A');
		expect(encodeTagValue('auth0|5f1b2c')).toBe('b64-YXV0aDB8NWYxYjJj');
		expect(encodeTagValue('b64-abc')).toBe('b64-YjY0LWFiYw');
		expect(encodeTagValue('\ud800')).toBeUndefined(); // a lone surrogate has no UTF-8 form
		for (const id of ['cust_123-A', 'auth0|5f1b2c', 'b64-abc', 'Zoë', 'ada@example.com', ' x ', '\ufeffbom']) {
			const written = encodeTagValue(id)!;
			expect(written).toMatch(/^[A-Za-z0-9_-]+$/);
			expect(decodeTagValue(written)).toBe(id);
		}
	});
});

describe('addPairsAttribution returns the pairs\' pz_user_id', () => {
	it('last carrier value wins, empty is none; the five properties as before', () => {
		const out: Record<string, unknown> = {};
		expect(addPairsAttribution(out, ['pz_user_id:a', 'pz_variant:B', 'pz_user_id:b'])).toBe('b');
		expect(out).toEqual({ variant: 'B' });
		expect(addPairsAttribution({}, 'pz_segment=vip; pz_user_id = c ')).toBe('c');
		expect(addPairsAttribution({}, '{"pz_user_id":7}')).toBe('7');
		expect(addPairsAttribution({}, '{"pz_user_id":1e300}')).toBeUndefined();
		expect(addPairsAttribution({}, 'pz_user_id:')).toBeUndefined();
		expect(addPairsAttribution({}, 'transac_messages')).toBeUndefined();
	});
});
