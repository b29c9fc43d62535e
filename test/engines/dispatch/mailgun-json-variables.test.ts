/**
 * Mailgun's variables are JSON (X-Mailgun-Variables "must be in JSON map format", example
 * `{"my_message_id": 123}`, https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-attachments),
 * so a value that is JSON text may come back in the webhook's `user-variables` as a number, a
 * boolean, null or an object. The Mailgun source reads a number back as `String(n)` (addAttribution;
 * the userId only a safe integer, userIdOf) and drops the rest: `1e3` would come back "1000", `1.0`
 * "1", `-0` "0", `true` and `{…}` not at all. Such values are written `b64-` + base64url; a
 * canonical safe integer (`123`, `-5`) reads back as the same text and stays as it is.
 *
 * The round trip: dispatch() → the local Mailgun server, whose `userVariables` are the `v:` values
 * read as JSON as Mailgun reads them → the documented `opened` webhook with those user-variables →
 * the Mailgun source → the very values sent.
 *
 * Written forms computed with Python's base64.urlsafe_b64encode (padding stripped): '1e3' → MWUz,
 * '1.0' → MS4w, '-0' → LTA, 'true' → dHJ1ZQ, 'null' → bnVsbA, '{"a":1}' → eyJhIjoxfQ, '[1]' → WzFd,
 * ' 7' → IDc, '12345678901234567890' → MTIzNDU2Nzg5MDEyMzQ1Njc4OTA, '0.5' → MC41, 'false' → ZmFsc2U.
 */
import { dispatch, httpChannel, type DispatchItem } from '../../../nodes/engines/dispatch/engine';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { decodeTagValue, decodeVariableValue, encodeHeaderValue, encodeTagValue, encodeVariableValue } from '../../../nodes/engines/types/attribution';
import { mailgunAuth, startMailgunServer, type MailgunServer } from '../../dispatch/servers/mailgun';
import { localTransport } from '../../dispatch/servers/provider-server';
import { dispatchItem } from '../../harness/dispatch-engine';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

/** [value, as written into `v:`] */
const CASES: Array<[string, string]> = [
	['1e3', 'b64-MWUz'],
	['1.0', 'b64-MS4w'],
	['-0', 'b64-LTA'],
	['true', 'b64-dHJ1ZQ'],
	['false', 'b64-ZmFsc2U'],
	['null', 'b64-bnVsbA'],
	['{"a":1}', 'b64-eyJhIjoxfQ'],
	['[1]', 'b64-WzFd'],
	[' 7', 'b64-IDc'], // JSON allows white space around a value
	['12345678901234567890', 'b64-MTIzNDU2Nzg5MDEyMzQ1Njc4OTA'], // beyond 2^53: not the same number read back
	['0.5', 'b64-MC41'], // read back "0.5" as a campaign, but not as a userId: one rule for every key
	// read back as the same text: as they are
	['123', '123'],
	['-5', '-5'],
	['0', '0'],
	['007', '007'], // no JSON (leading zero): stays a string
	['cus_1', 'cus_1'],
	['spring-2025', 'spring-2025'],
	['1e3x', '1e3x'],
];

describe('encodeVariableValue', () => {
	it('JSON text that reads as another value is written b64-; decodeVariableValue reads every form back', () => {
		for (const [value, written] of CASES) {
			expect([value, encodeVariableValue(value)]).toEqual([value, written]);
			expect([written, decodeVariableValue(written)]).toEqual([written, value]);
		}
		// otherwise as in a header: non-ASCII, quotes, b64- itself
		expect(encodeVariableValue('Été')).toBe(encodeHeaderValue('Été'));
		expect(encodeVariableValue('b64-x')).toBe('b64-YjY0LXg');
		// a b64- form none of the writers gives is still not guessed at: '123' is written as it is
		expect(encodeTagValue('123')).toBe('123');
		expect(decodeVariableValue('b64-MTIz')).toBeNull();
		// the tag form is not widened: the JSON forms are Mailgun's (decodeTagValue reads the tag carriers)
		expect(decodeTagValue('b64-MWUz')).toBeNull();
	});
});

describe('Mailgun round trip: dispatch → local Mailgun (v: read as JSON) → webhook → Mailgun source', () => {
	let server: MailgunServer;
	beforeAll(async () => (server = await startMailgunServer()));
	afterAll(async () => server.close());
	beforeEach(() => (server.delivered.length = 0));

	const channel = () => httpChannel(mailgun, { domain: 'mg.shop.example' }, localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth() } })));
	/** The documented `opened` webhook of a delivered message, its user-variables as Mailgun gives them back. */
	const opened = (to: string) => {
		const d = server.delivered.find((x) => x.to === to)!;
		const body = fixtureBody('mailgun', 'opened');
		body['event-data'] = { ...(body['event-data'] as object), recipient: to, 'user-variables': d.userVariables };
		return normalizeAs('mailgun', body)[0];
	};

	it.each([
		['one message per request (v: values literal)', 1, CASES.length],
		['a batch (v: values through recipient-variables)', 100, 1],
	])('%s: campaign, segment, variant, experiment and userId come back as sent', async (_name, batchSize, requests) => {
		const items: DispatchItem[] = CASES.map(([value], i) =>
			dispatchItem(i, { campaignId: value, attribution: { segment: value, variant: value, experimentId: value, userId: value } }),
		);
		const report = await dispatch(items, channel(), { mode: 'rendered', batchSize });
		expect(report.outcomes.map((o) => o.status)).toEqual(items.map(() => 'queued'));
		expect(report.requests).toBe(requests);
		// what Mailgun gets: the written forms
		expect(CASES.map((_c, i) => server.delivered.find((d) => d.to === `user${i}@example.com`)!.variables.pz_campaign_id)).toEqual(CASES.map(([, written]) => written));
		for (const [i, [value]] of CASES.entries()) {
			const event = opened(`user${i}@example.com`);
			expect([value, event.properties]).toEqual([
				value,
				expect.objectContaining({ campaign_id: value, segment: value, variant: value, experiment_id: value, user_id: value, email_id: report.outcomes[i].messageId }),
			]);
		}
	});
});
