/**
 * The attribution readers must give what the former definitions gave (the frozen copies in
 * ./reference): addAttribution = Object.assign(out, metadataToProperties(x)), and
 * addPairsAttribution = the same over pairsToObject(values), for two carriers in a row (Brevo's
 * tags, then X-Mailin-custom), key order included.
 */
import fc from 'fast-check';
import { ATTRIBUTION_KEYS, ATTRIBUTION_PROPERTIES, addAttribution, attributionToMetadata, metadataToProperties, type Attribution, type AttributionKey } from '../../../nodes/engines/types/attribution';
import { getSource } from '../../../nodes/engines/events/registry';
import { loadFixtures } from '../../harness/signing';
import { addPairsAttribution } from '../../../nodes/engines/events/util';
import { metadataToProperties as formerMetadataToProperties } from './reference/attribution';
import { attribution as formerAttribution, pairsToObject as formerPairsToObject } from './reference/util';

const PZ = ['pz_message_id', 'pz_campaign_id', 'pz_variant', 'pz_segment', 'pz_experiment_id'];
const value = fc.oneof(fc.constantFrom<unknown>(undefined, null, '', 'x', 'B', 0, 7, -1.5, Number.NaN, true, [], ['a'], {}), fc.string({ maxLength: 4 }), fc.integer());
const metadata = fc.oneof(
	fc.dictionary(fc.oneof(fc.constantFrom(...PZ, 'other', '__proto__'), fc.string({ maxLength: 3 })), value, { maxKeys: 7 }),
	fc.constantFrom<unknown>(undefined, null, 'pz_variant:B', 5, ['pz_variant'], [1, 2]),
);

describe('addAttribution reads what metadataToProperties read', () => {
	it('one or more carriers into one object, same keys, values and order', () => {
		fc.assert(
			fc.property(fc.array(metadata, { maxLength: 3 }), (carriers) => {
				const out: Record<string, unknown> = {};
				for (const c of carriers) addAttribution(out, c);
				expect(JSON.stringify(out)).toBe(JSON.stringify(formerAttribution(...carriers)));
				for (const c of carriers) expect(JSON.stringify(metadataToProperties(c))).toBe(JSON.stringify(formerMetadataToProperties(c)));
			}),
			{ numRuns: 5000 },
		);
		expect(metadataToProperties({ pz_segment: 3, pz_variant: '', pz_message_id: 'm' })).toEqual({ email_id: 'm', segment: '3' });
	});
});

describe('addPairsAttribution reads what attribution(pairsToObject(...)) read', () => {
	const keys = fc.constantFrom(...PZ, 'pz_variant ', ' pz_segment', 'pz', 'transac_messages', 'a.b-c', '');
	const sep = fc.constantFrom(':', '=', ' : ', ' =', ':=', '');
	const val = fc.oneof(fc.constantFrom('', 'B', 'spring', ' v ', 'a:b', 'é', '\u00a0x', 'x\u2028'), fc.string({ maxLength: 3 }));
	const pair = fc.tuple(keys, sep, val).map(([k, s, v]) => `${k}${s}${v}`);
	const pairs = fc.tuple(fc.array(pair, { maxLength: 4 }), fc.constantFrom('|', ';', '&', ',', ' | ')).map(([list, s]) => list.join(s));
	const json = fc.dictionary(fc.constantFrom(...PZ, 'x'), value, { maxKeys: 4 }).map((o) => JSON.stringify(o));
	const chars = fc.constantFrom(...'aZ09_.-:=|;&, \t\n\u00a0\u2028é~!{"p'.split(''));
	const noise = fc.array(chars, { maxLength: 24 }).map((a) => a.join(''));
	const item = fc.oneof(pairs, pairs, json, fc.constant('{broken'), fc.constant(' {"pz_variant":"J"} '), noise, fc.constantFrom<unknown>(5, null, undefined, { pz_variant: 'obj' }));
	const carrier = fc.oneof(fc.array(item, { maxLength: 4 }), item);

	it('two carriers in a row, same keys, values and order', () => {
		let attributed = 0;
		fc.assert(
			fc.property(carrier, carrier, (tags, custom) => {
				const out: Record<string, unknown> = {};
				addPairsAttribution(out, tags);
				addPairsAttribution(out, custom);
				const want = formerAttribution(formerPairsToObject(tags), formerPairsToObject(custom));
				expect(JSON.stringify(out)).toBe(JSON.stringify(want));
				if (Object.keys(want).length > 1) attributed++;
			}),
			{ numRuns: 10000 },
		);
		// not vacuous: most runs carry attribution
		expect(attributed).toBeGreaterThan(2000);
	});

	it('hand cases', () => {
		const out: Record<string, unknown> = {};
		addPairsAttribution(out, ['transac_messages', 'pz_variant:B', 'pz_variant:C']);
		addPairsAttribution(out, 'pz_message_id:msg-21|pz_campaign_id:reactivation');
		expect(out).toEqual({ variant: 'C', email_id: 'msg-21', campaign_id: 'reactivation' });
		expect(Object.keys(out)).toEqual(['variant', 'email_id', 'campaign_id']);
		const json: Record<string, unknown> = {};
		addPairsAttribution(json, ['pz_variant:B', '{"pz_variant":"","pz_segment":3}']);
		expect(json).toEqual({ segment: '3' });
	});
});

describe('the readers cover exactly the keys ESP Dispatch writes (ATTRIBUTION_KEYS)', () => {
	// The readers name the five pz_* keys as constants for speed; a key added to ATTRIBUTION_KEYS
	// and not to them would be dropped silently. Written by dispatch's own attributionToMetadata.
	const all = Object.fromEntries(Object.keys(ATTRIBUTION_KEYS).map((k, i) => [k, `v${i}`])) as Attribution;
	const metadata = attributionToMetadata(all);
	const expected = Object.fromEntries((Object.keys(ATTRIBUTION_KEYS) as AttributionKey[]).map((k, i) => [ATTRIBUTION_PROPERTIES[k], `v${i}`]));

	it('addAttribution (provider metadata objects)', () => {
		const out: Record<string, unknown> = {};
		addAttribution(out, metadata);
		expect(out).toEqual(expected);
	});

	it('addPairsAttribution (Brevo tag strings)', () => {
		const out: Record<string, unknown> = {};
		addPairsAttribution(out, Object.entries(metadata).map(([k, v]) => `${k}:${v}`));
		expect(out).toEqual(expected);
	});

	it('SES message tags', () => {
		const f = loadFixtures().find((x) => x.source === 'ses' && x.name === 'open')!.fixture;
		const body = structuredClone(f.body) as Record<string, string>;
		const message = JSON.parse(body.Message) as { mail: { tags: Record<string, string[]> } };
		message.mail.tags = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, [v]]));
		body.Message = JSON.stringify(message);
		const [event] = getSource('ses')!.normalize({ payload: body, receivedAt: new Date(), onUnknown: 'error' });
		expect(event.properties).toMatchObject(expected);
	});
});
