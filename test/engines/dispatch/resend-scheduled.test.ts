/**
 * Resend's batch endpoint does not take `scheduled_at` ("The attachments and scheduled_at fields
 * are not supported yet": https://resend.com/docs/api-reference/emails/send-batch-emails,
 * "Limitations"; Resend's own skill sends in a batch only when "No attachments or scheduling
 * needed": https://github.com/resend/resend-skills). The local fake refuses it there, as an invalid
 * email; a scheduled message is sent alone through POST /emails, with its `scheduled_at`.
 */
import { dispatch, httpChannel } from '../../../nodes/engines/dispatch/engine';
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { fakeSleep, renderedItems } from '../../dispatch/helpers';
import { localTransport } from '../../dispatch/servers/provider-server';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../../dispatch/servers/resend';

const AT = '2026-12-01T09:00:00.000Z';

describe('Resend: scheduled messages', () => {
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});
	const channel = () => httpChannel(resend, { baseUrl: server.url }, localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } })));

	it('the fake refuses scheduled_at in a batch, as Resend documents (strict: the whole batch; permissive: that email)', async () => {
		const email = (i: number, extra = {}) => ({ from: 'news@shop.example.com', to: [`user${i}@example.com`], subject: 's', html: '<p>h</p>', ...extra });
		const send = (body: unknown, headers: Record<string, string> = {}) =>
			fetch(`${server.url}/emails/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${RESEND_TEST_KEY}`, ...headers }, body: JSON.stringify(body) });
		const strict = await send([email(0), email(1, { scheduled_at: AT })]);
		expect(strict.status).toBe(422);
		const permissive = await send([email(0), email(1, { scheduled_at: AT })], { 'x-batch-validation': 'permissive' });
		expect(((await permissive.json()) as { errors: Array<{ index: number }> }).errors.map((e) => e.index)).toEqual([1]);
		expect(server.delivered.map((d) => d.email.scheduled_at)).toEqual([undefined]);
	});

	it('each scheduled message is sent alone through POST /emails with its scheduled_at; the others share a batch', async () => {
		const items = renderedItems(4).map((item) => (item.index % 2 ? { ...item, options: { scheduled_at: AT } } : item));
		const clock = fakeSleep();
		const report = await dispatch(items, channel(), { mode: 'rendered', limits: { concurrency: 1 }, sleep: clock.sleep, now: clock.now });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 1], ['sent', 1], ['sent', 1]]);
		expect(server.received.map((r) => r.path).sort()).toEqual(['/emails', '/emails', '/emails/batch']);
		const scheduled = server.delivered.filter((d) => d.email.scheduled_at === AT).map((d) => (d.email.to as string[])[0]);
		expect(scheduled.sort()).toEqual(['User 1 <user1@example.com>', 'User 3 <user3@example.com>']);
	});
});
