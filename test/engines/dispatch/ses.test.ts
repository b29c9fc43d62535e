/**
 * Amazon SES v2 provider against the documented API, then end to end (SigV4-signed) against
 * the local SES-compatible server, including BulkEmailEntryResults partial failures.
 * Docs: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html,
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendBulkEmail.html,
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html
 */
import { ses } from '../../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../../nodes/engines/dispatch/sigv4';
import { localTransport } from '../../dispatch/servers/provider-server';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../../dispatch/servers/ses';
import { many, msg } from './provider-fixtures';

const settings = { region: 'eu-west-1' };
const tpl = (i: number) => ({ html: undefined, text: undefined, subject: undefined, templateId: 'welcome', variables: { name: `N${i}` } });

describe('SES provider: plan', () => {
	it('rendered: one SendEmail per message with Simple content, Headers, EmailTags, in the region', () => {
		const plans = ses.plan(many(3), 'rendered', settings);
		expect(plans).toHaveLength(3);
		expect(plans[0].request.url).toBe('https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails');
		expect(JSON.parse(plans[1].request.body)).toEqual({
			FromEmailAddress: '"Shop News" <news@shop.example>',
			Destination: { ToAddresses: ['"User 1" <user1@example.com>'] },
			Content: {
				Simple: {
					Subject: { Data: 'Hello User 1', Charset: 'UTF-8' },
					Body: { Html: { Data: '<p>Hi User 1</p>', Charset: 'UTF-8' }, Text: { Data: 'Hi User 1', Charset: 'UTF-8' } },
					Headers: [
						{ Name: 'List-Unsubscribe', Value: '<https://shop.example/u/1>, <mailto:unsub@shop.example?subject=u1>' },
						{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
					],
				},
			},
			EmailTags: [
				{ Name: 'pz_message_id', Value: 'm-1' },
				{ Name: 'pz_campaign_id', Value: 'spring' },
				{ Name: 'pz_variant', Value: 'B' },
				{ Name: 'spring-sale', Value: 'true' },
			],
		});
		expect(() => ses.plan([msg(0)], 'rendered', { region: 'nowhere' })).toThrow(/region/);
	});

	it('template: SendBulkEmail with at most 50 entries, each with its data, tags and headers', () => {
		const plans = ses.plan(many(120, tpl), 'template', settings);
		expect(plans.map((p) => p.messages.length)).toEqual([50, 50, 20]);
		expect(plans[0].request.url).toBe('https://email.eu-west-1.amazonaws.com/v2/email/outbound-bulk-emails');
		const body = JSON.parse(plans[0].request.body);
		expect(body.DefaultContent).toEqual({ Template: { TemplateName: 'welcome', TemplateData: '{}' } });
		expect(body.BulkEmailEntries[3]).toMatchObject({
			Destination: { ToAddresses: ['"User 3" <user3@example.com>'] },
			ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{"name":"N3"}' } },
		});
		expect(body.BulkEmailEntries[3].ReplacementTags[0]).toEqual({ Name: 'pz_message_id', Value: 'm-3' });
		expect(body.BulkEmailEntries[3].ReplacementHeaders[1]).toEqual({ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' });
	});

	it('the node\'s Configuration Set option (or the setting) becomes ConfigurationSetName; other providers\' options are ignored', () => {
		const [withOption] = ses.plan([msg(0, { options: { ConfigurationSetName: 'marketing', messageStream: 'broadcast' } })], 'rendered', settings);
		const body = JSON.parse(withOption.request.body);
		expect(body.ConfigurationSetName).toBe('marketing');
		expect(JSON.stringify(body)).not.toContain('broadcast');
		const [bulk] = ses.plan([msg(0, tpl(0))], 'template', { ...settings, configurationSetName: 'tx' });
		expect(JSON.parse(bulk.request.body).ConfigurationSetName).toBe('tx');
	});

	it('non-ASCII names and header values are RFC 2047 encoded (SES headers are printable ASCII)', () => {
		const [plan] = ses.plan([msg(0, { to: { email: 'zoe@example.com', name: 'Zoë' }, headers: { 'X-Note': 'café' } })], 'rendered', settings);
		const body = JSON.parse(plan.request.body);
		expect(body.Destination.ToAddresses[0]).toBe('=?UTF-8?B?Wm/Dqw==?= <zoe@example.com>');
		expect(body.Content.Simple.Headers[0].Value).toBe('=?UTF-8?B?Y2Fmw6k=?=');
	});
});

describe('SES provider: parse', () => {
	it('BulkEmailEntryResults: SUCCESS sent, TRANSIENT_FAILURE retryable, MESSAGE_REJECTED final', () => {
		const [plan] = ses.plan(many(3, tpl), 'template', settings);
		const body = JSON.stringify({
			BulkEmailEntryResults: [
				{ Status: 'SUCCESS', MessageId: '010001-a' },
				{ Status: 'TRANSIENT_FAILURE', Error: 'try later' },
				{ Status: 'MESSAGE_REJECTED', Error: 'virus' },
			],
		});
		expect(ses.parse(plan, { status: 200, headers: {}, body })).toEqual([
			{ index: 0, status: 'sent', responseCode: 200, providerMessageId: '010001-a' },
			{ index: 1, status: 'failed', responseCode: 200, error: 'SES TRANSIENT_FAILURE: try later', retryable: true },
			{ index: 2, status: 'failed', responseCode: 200, error: 'SES MESSAGE_REJECTED: virus', retryable: false },
		]);
	});

	it('errors by x-amzn-ErrorType: throttling retryable, MessageRejected and signature errors final', () => {
		const [plan] = ses.plan([msg(0)], 'rendered', settings);
		const throttled = ses.parse(plan, { status: 429, headers: { 'x-amzn-ErrorType': 'TooManyRequestsException:http://internal.amazon.com/', 'retry-after': '2' }, body: '{"message":"Too many requests"}' });
		expect(throttled[0]).toMatchObject({ retryable: true, retryAfterSeconds: 2, error: 'HTTP 429 TooManyRequestsException: Too many requests' });
		const rejected = ses.parse(plan, { status: 400, headers: { 'x-amzn-errortype': 'MessageRejected' }, body: '{"message":"Email address is not verified."}' });
		expect(rejected[0]).toMatchObject({ retryable: false, error: 'HTTP 400 MessageRejected: Email address is not verified.' });
		const sig = ses.parse(plan, { status: 403, headers: {}, body: '{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"bad"}' });
		expect(sig[0]).toMatchObject({ retryable: false, error: 'HTTP 403 InvalidSignatureException: bad' });
	});
});

describe('SES provider: end to end (SigV4) against the local SES server', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
		server.entryFailures.clear();
	});
	const transport = (creds = SES_TEST_CREDENTIALS) =>
		localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, creds, 'ses', new Date()) }));

	it('rendered: each message signed and delivered with its headers and tags', async () => {
		const plans = ses.plan(many(3), 'rendered', settings);
		const results = (await Promise.all(plans.map(async (p) => ses.parse(p, await transport()(p.request))))).flat();
		expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
		const d = server.delivered.find((x) => x.to.includes('user2@'));
		expect(d).toMatchObject({ subject: 'Hello User 2', html: '<p>Hi User 2</p>', tags: { pz_message_id: 'm-2', pz_campaign_id: 'spring' } });
		expect(d?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(results[2].providerMessageId).toBe(server.delivered.find((x) => x.to.includes('user2@'))?.messageId);
	});

	it('template: 60 destinations in 2 calls; one entry transient, one rejected, the rest sent', async () => {
		server.entryFailures.set('user5@example.com', 'TRANSIENT_FAILURE');
		server.entryFailures.set('user55@example.com', 'MESSAGE_REJECTED');
		const plans = ses.plan(many(60, tpl), 'template', settings);
		const results = (await Promise.all(plans.map(async (p) => ses.parse(p, await transport()(p.request))))).flat();
		expect(server.received).toHaveLength(2);
		expect(results.filter((r) => r.status === 'sent')).toHaveLength(58);
		expect(results.find((r) => r.index === 5)).toMatchObject({ status: 'failed', retryable: true });
		expect(results.find((r) => r.index === 55)).toMatchObject({ status: 'failed', retryable: false });
		expect(server.delivered.find((d) => d.to.includes('user7@'))?.templateData).toEqual({ name: 'N7' });
	});

	it('a wrong secret fails the signature check (403, final); an unknown key id is unrecognised', async () => {
		const [plan] = ses.plan([msg(0)], 'rendered', settings);
		const bad = ses.parse(plan, await transport({ ...SES_TEST_CREDENTIALS, secretAccessKey: 'wrong' })(plan.request));
		expect(bad[0]).toMatchObject({ status: 'failed', responseCode: 403, retryable: false });
		expect(bad[0].error).toContain('InvalidSignatureException');
		expect(bad[0].error).not.toContain('wrong');
		const unknown = ses.parse(plan, await transport({ ...SES_TEST_CREDENTIALS, accessKeyId: 'AKIAOTHER' })(plan.request));
		expect(unknown[0].error).toContain('UnrecognizedClientException');
	});

	it('a body changed after signing is refused', async () => {
		const [plan] = ses.plan([msg(0)], 'rendered', settings);
		const tampered = localTransport(server.url, (r) => {
			const headers = signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date());
			return { ...r, headers, body: r.body.replace('Hello', 'Hullo') };
		});
		expect(ses.parse(plan, await tampered(plan.request))[0]).toMatchObject({ responseCode: 403 });
		expect(server.delivered).toHaveLength(0);
	});

	it('injected 429 TooManyRequestsException and 503 are retryable; 51 entries are refused by the server', async () => {
		const [plan] = ses.plan([msg(0)], 'rendered', settings);
		server.faults.push({ status: 429, retryAfter: 1 }, { status: 503 });
		expect(ses.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, retryAfterSeconds: 1 });
		expect(ses.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, responseCode: 503 });
		const [big] = ses.plan(many(50, tpl), 'template', settings);
		const body = JSON.parse(big.request.body);
		body.BulkEmailEntries.push(body.BulkEmailEntries[0]);
		const tooMany = { ...big, request: { ...big.request, body: JSON.stringify(body) } };
		const results = ses.parse(tooMany, await transport()(tooMany.request));
		expect(results[0]).toMatchObject({ responseCode: 400, retryable: false });
		expect(results[0].error).toContain('maximum is 50');
	});
});
