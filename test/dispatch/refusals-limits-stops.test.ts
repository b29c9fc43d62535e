/**
 * Through the engine against the local provider servers (each answers as its provider documents):
 *  - documented per-message limits (SES header values <= 870 characters, Brevo params <= 100 KB
 *    per message version) fail that message alone, before any request.
 */
import { dispatch, httpChannel, type DispatchItem } from '../../nodes/engines/dispatch/engine';
import { brevo } from '../../nodes/engines/dispatch/providers/brevo';
import { ses } from '../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../nodes/engines/dispatch/sigv4';
import { BREVO_TEST_KEY, startBrevoServer } from './servers/brevo';
import { localTransport } from './servers/provider-server';
import { SES_TEST_CREDENTIALS, startSesServer } from './servers/ses';
import { fakeSleep, renderedItems } from './helpers';

const fast = () => ({ sleep: fakeSleep().sleep, retry: { initialDelayMs: 1, maxDelayMs: 2 } });

describe('documented per-message limits fail that message alone, before any request', () => {
	it('SES: a List-Unsubscribe value over 870 characters fails its item (naming it and the field); its SendBulkEmail batch still goes out', async () => {
		const server = await startSesServer();
		try {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) }));
			// List-Unsubscribe is "<" + url + ">": a URL of 868 characters gives exactly 870 (allowed), 869 gives 871.
			const url = (length: number) => `https://shop.example/u/${'a'.repeat(length - 'https://shop.example/u/'.length)}`;
			const items: DispatchItem[] = renderedItems(3).map((item, i) => ({ ...item, subject: undefined, html: undefined, text: undefined, templateId: 'welcome', variables: { n: i } }));
			items[0].unsubscribeUrl = url(868);
			items[1].unsubscribeUrl = url(869);
			const report = await dispatch(items, httpChannel(ses, { baseUrl: server.url, region: 'eu-west-1' }, transport), { mode: 'template', ...fast() });
			expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1]]);
			expect(report.outcomes[1].error).toBe('Item 1: the List-Unsubscribe header value is 871 characters, more than the 870 Amazon SES allows in a header value (field: unsubscribeUrl)');
			expect(server.received).toHaveLength(1); // one SendBulkEmail call with the two others
			expect(server.delivered.map((d) => d.to)).toEqual(['"User 0" <user0@example.com>', '"User 2" <user2@example.com>']);
			expect(server.delivered[0].headers['List-Unsubscribe']).toHaveLength(870);
		} finally {
			await server.close();
		}
	});

	it('Brevo: template variables over 100 KB fail their item; the other versions share one call', async () => {
		const server = await startBrevoServer();
		try {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } }));
			// {"v":"…"} is 8 characters of JSON around the string: 102,392 x's make exactly 100 KB (102,400 bytes).
			const variables = (bytes: number) => ({ v: 'x'.repeat(bytes - 8) });
			const items: DispatchItem[] = renderedItems(3).map((item) => ({ ...item, subject: undefined, html: undefined, text: undefined, templateId: '12' }));
			items[0].variables = variables(100 * 1024);
			items[1].variables = variables(100 * 1024 + 1);
			items[2].variables = { v: 'small' };
			const report = await dispatch(items, httpChannel(brevo, { baseUrl: server.url }, transport), { mode: 'template', ...fast() });
			expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1]]);
			expect(report.outcomes[1].error).toBe('Item 1: the template variables (Brevo params) are 102,401 bytes as JSON, more than the 100 KB (102,400 bytes) Brevo allows per message version (field: variables)');
			expect(server.received).toHaveLength(1);
			expect(server.delivered.map((d) => d.to)).toEqual(['user0@example.com', 'user2@example.com']);
		} finally {
			await server.close();
		}
	});
});
