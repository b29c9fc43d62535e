/**
 * Postmark Metadata limits: "at most 10 fields, field names up to 20 characters, values up to 80"
 * (https://postmarkapp.com/support/article/1125-custom-metadata-faq; the API refuses a message over
 * them: "Field names are limited to 20 characters and field values are limited to 80 characters in
 * length", as quoted in https://github.com/dittofeed/dittofeed/pull/1759). A message whose
 * attribution breaks them is refused alone before any request, its field named; it is never sent
 * with a cut value (a cut campaign or variant would join its engagement to another one).
 */
import { dispatch, httpChannel } from '../../../nodes/engines/dispatch/engine';
import { postmark } from '../../../nodes/engines/dispatch/providers/postmark';
import { nodeHttpTransport } from '../../../nodes/engines/dispatch/transport';
import { fakeSleep, renderedItems } from '../../dispatch/helpers';
import type { ProviderServer } from '../../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../../dispatch/servers/postmark';
import { msg } from './provider-fixtures';

const campaign81 = 'c'.repeat(81);

describe('Postmark: metadata over the documented limits is refused before any request', () => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { 'X-Postmark-Server-Token': POSTMARK_TOKEN }, timeoutMs: 2000 });
	beforeAll(async () => (server = await postmarkServer().start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('a Campaign ID of 81 characters: that message alone fails, naming campaignId; the others are sent, none with a cut value', async () => {
		const items = renderedItems(3).map((item) => (item.index === 1 ? { ...item, campaignId: campaign81 } : item));
		const clock = fakeSleep();
		const report = await dispatch(items, httpChannel(postmark, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: clock.sleep, now: clock.now });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1]]);
		expect(report.outcomes[1].error).toBe('Item 1: the Campaign ID (Postmark metadata pz_campaign_id) is 81 characters, more than the 80 Postmark allows in a metadata value (field: campaignId)');
		expect(server.accepted.map((a) => a.recipient)).toEqual(['user0@example.com', 'user2@example.com']);
		const sent = [...server.bodies.values()].join('');
		expect(sent).not.toContain('c'.repeat(80));
	});

	it('exactly 80 characters is within the limit and sent as it is', async () => {
		const items = renderedItems(1, { campaignId: 'c'.repeat(80) });
		const report = await dispatch(items, httpChannel(postmark, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent']);
		expect((server.accepted[0].message as { Metadata: Record<string, string> }).Metadata.pz_campaign_id).toBe('c'.repeat(80));
	});

	it('check: a field name over 20 characters and more than 10 fields are named too; a long userId is left out, not refused', () => {
		expect(postmark.check!(msg(0, { metadata: { pz_a_very_long_field_name: 'x' } }), 'rendered')).toEqual({
			field: 'metadata.pz_a_very_long_field_name',
			message: 'the Postmark metadata field name pz_a_very_long_field_name is 25 characters, more than the 20 Postmark allows in a metadata field name',
		});
		const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
		expect(postmark.check!(msg(0, { metadata: eleven }), 'rendered')).toEqual({ field: 'metadata', message: 'the message has 11 Postmark metadata fields, more than the 10 Postmark allows' });
		expect(postmark.check!(msg(0, { metadata: { pz_message_id: 'm', pz_user_id: 'u'.repeat(81) } }), 'rendered')).toBeUndefined();
		expect(postmark.check!(msg(0), 'rendered')).toBeUndefined();
	});
});
