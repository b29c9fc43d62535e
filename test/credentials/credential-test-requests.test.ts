/**
 * The "Test credential" request of each ESP credential, as loaded from dist/ by n8n-core's package
 * loader and resolved by n8n's own expression evaluator with `$credentials` (what n8n's routing
 * node does with a credential's `test.request`). Expected URLs are the providers' documented
 * endpoints. ESP Dispatch sends with an empty API Base URL to the provider's default and uses the
 * base URL, Mailgun domain and SES region trimmed; "Test credential" must check the same place,
 * or it fails a credential that sends.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, NodeParameterValueType } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { loadPackage, P } from '../harness/engine';

async function testRequest(type: string, data: ICredentialDataDecryptedObject): Promise<IHttpRequestOptions> {
	const pkg = await loadPackage();
	const workflow = new Workflow({
		nodes: [{ id: '1', name: 'Credential test', type: `${P}experiment`, typeVersion: 1, position: [0, 0], parameters: {} }],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
	});
	const request = pkg.credentialTypes[type].test!.request as unknown as NodeParameterValueType;
	return workflow.expression.getParameterValue(request, null, 0, 0, 'Credential test', [], 'internal', { $credentials: data } as never) as unknown as IHttpRequestOptions;
}

const where = (r: IHttpRequestOptions) => ({ baseURL: r.baseURL, url: r.url, method: r.method });

describe('ESP credential tests call the documented endpoint', () => {
	// SendGrid GET /v3/scopes (base https://api.sendgrid.com, https://api.eu.sendgrid.com for EU regional subusers);
	// Postmark GET /server; Brevo GET /v3/account; Resend GET /domains; Mandrill POST /users/ping
	const simple: Array<[string, string, string, string]> = [
		['personalizationSendGridApi', 'https://api.sendgrid.com', '/v3/scopes', 'GET'],
		['personalizationPostmarkApi', 'https://api.postmarkapp.com', '/server', 'GET'],
		['personalizationBrevoApi', 'https://api.brevo.com', '/v3/account', 'GET'],
		['personalizationResendApi', 'https://api.resend.com', '/domains', 'GET'],
		['personalizationMandrillApi', 'https://mandrillapp.com/api/1.0', '/users/ping', 'POST'],
	];

	it.each(simple)('%s: the default base URL', async (type, base, url, method) => {
		const pkg = await loadPackage();
		const defaultBase = pkg.credentialTypes[type].properties.find((p) => p.name === 'baseUrl')!.default;
		expect(defaultBase).toBe(base);
		expect(where(await testRequest(type, { apiKey: 'k', serverToken: 'k', baseUrl: base }))).toEqual({ baseURL: base, url, method });
	});

	it.each(simple)('%s: an emptied API Base URL tests the default, where ESP Dispatch sends', async (type, base, url, method) => {
		expect(where(await testRequest(type, { apiKey: 'k', serverToken: 'k', baseUrl: '' }))).toEqual({ baseURL: base, url, method });
		expect(where(await testRequest(type, { apiKey: 'k', serverToken: 'k', baseUrl: '  ' }))).toEqual({ baseURL: base, url, method });
	});

	it('SendGrid EU subuser: a pasted base URL with spaces is used trimmed', async () => {
		expect(where(await testRequest('personalizationSendGridApi', { apiKey: 'k', baseUrl: ' https://api.eu.sendgrid.com ' }))).toEqual({ baseURL: 'https://api.eu.sendgrid.com', url: '/v3/scopes', method: 'GET' });
	});

	it('Mailgun: reads the domain trimmed and encoded as a path segment, on the region\'s endpoint', async () => {
		expect(where(await testRequest('personalizationMailgunApi', { apiKey: 'k', domain: ' mg.example.com\n', region: 'eu', baseUrl: '' }))).toEqual({
			baseURL: 'https://api.eu.mailgun.net',
			url: '/v3/domains/mg.example.com',
			method: 'GET',
		});
		expect(where(await testRequest('personalizationMailgunApi', { apiKey: 'k', domain: 'mg.example.com', region: 'us', baseUrl: ' ' }))).toEqual({
			baseURL: 'https://api.mailgun.net',
			url: '/v3/domains/mg.example.com',
			method: 'GET',
		});
		// a stray "/" cannot reach another endpoint
		expect((await testRequest('personalizationMailgunApi', { apiKey: 'k', domain: 'mg.example.com/x', region: 'us', baseUrl: '' })).url).toBe('/v3/domains/mg.example.com%2Fx');
	});

	it('Amazon SES: GetAccount on the region\'s endpoint, the region trimmed as when sending', async () => {
		expect(where(await testRequest('personalizationSesApi', { region: ' eu-west-1 ', accessKeyId: 'a', secretAccessKey: 's', baseUrl: '' }))).toEqual({
			baseURL: 'https://email.eu-west-1.amazonaws.com',
			url: '/v2/email/account',
			method: 'GET',
		});
		// an emptied Region: us-east-1, the field's default and what ESP Dispatch sends to (not https://email..amazonaws.com)
		expect(where(await testRequest('personalizationSesApi', { region: ' ', accessKeyId: 'a', secretAccessKey: 's', baseUrl: '' })).baseURL).toBe('https://email.us-east-1.amazonaws.com');
	});
});
