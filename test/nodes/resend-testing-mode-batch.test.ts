/**
 * Resend in testing mode, the refusal listed per email in a permissive batch's `errors[]`
 * (`{ index, message }`, https://resend.com/docs/dashboard/emails/batch-validation-modes): the
 * items to others than the owner fail as when Resend refuses a whole request (a recipient refusal,
 * 403, saying to verify a domain), the others are sent once. Through the real n8n engine against
 * the local Resend server.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';

const REFUSAL =
	'You can only send testing emails to your own email address (owner@example.com). To send emails to other recipients, please verify a domain at resend.com/domains, and change the `from` address to an email using this domain.';

const dispatch = (extra: Partial<INode> = {}): INode =>
	node('ESP Dispatch', 'espDispatch', {
		provider: 'resend',
		fromEmail: 'onboarding@resend.dev',
		toEmail: '={{ $json.email }}',
		subject: '={{ $json.subject }}',
		html: '<p>Hi</p>',
		options: { initialRetryDelayMs: 1, maxRetryDelayMs: 5 },
	} as INode['parameters'], { typeVersion: 1.1, credentials: { personalizationResendApi: { id: 'resend-1', name: 'Resend account' } }, ...extra });

describe('ESP Dispatch: Resend testing-mode refusal listed in a permissive batch\'s errors[]', () => {
	let resend: ResendServer;
	beforeAll(async () => (resend = await startResendServer(RESEND_TEST_KEY, undefined, { testingMode: { owner: 'owner@example.com', perEmail: true } })));
	afterAll(async () => resend.close());

	it('fails the items to others as a recipient refusal (403, verify a domain), sends the owner\'s, in one request', async () => {
		const input = ['a@example.com', 'owner@example.com', 'b@example.com'].map((email, i) => ({ json: { email, subject: `S${i}` } }));
		const result = await runWorkflow({ nodes: [dispatch()], connections: {} }, {
			input,
			credentials: { personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } },
		});
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json as IDataObject);
		expect(out.map((o) => [o.status, o.responseCode])).toEqual([['failed', 403], ['sent', 200], ['failed', 403]]);
		expect(out[0].error).toBe(
			'Resend refused the recipient "a@example.com": the account is in testing mode and sends only to its owner\'s own address (owner@example.com); verify a domain at https://resend.com/domains and send from an address on it. ' +
				REFUSAL,
		);
		expect(out[2].error).toMatch(/^Resend refused the recipient "b@example\.com": the account is in testing mode/);
		// one permissive batch; the refused emails are not sent again
		expect(resend.received.map((r) => [r.path, r.headers['x-batch-validation'], JSON.parse(r.body).length])).toEqual([['/emails/batch', 'permissive', 3]]);
		expect(resend.delivered.map((d) => d.email.to)).toEqual([['owner@example.com']]);
	});
});
