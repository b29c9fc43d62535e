/**
 * The function-style `authenticate` of the Amazon SES and Mandrill credentials, applied to the
 * credential's own `test` request and to a send request, against the local servers: this is
 * what n8n does for "Test credential" and for every request the node sends.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';
import { PersonalizationMandrillApi } from '../../credentials/PersonalizationMandrillApi.credentials';
import { PersonalizationSesApi } from '../../credentials/PersonalizationSesApi.credentials';
import { startMandrillServer, MANDRILL_TEST_KEY, type MandrillServer } from '../dispatch/servers/mandrill';
import { startSesServer, SES_TEST_CREDENTIALS, type SesServer } from '../dispatch/servers/ses';

async function send(options: IHttpRequestOptions): Promise<{ status: number; body: string }> {
	const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const response = await fetch(options.url, { method: options.method, headers: options.headers as Record<string, string>, body });
	return { status: response.status, body: await response.text() };
}

describe('Amazon SES credential (SigV4 authenticate)', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	const credential = new PersonalizationSesApi();
	const data = { ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: '' };

	it('signs the test request (baseURL + relative url) so SES accepts it', async () => {
		const test = credential.test.request;
		expect(test.url).toBe('/v2/email/account');
		const signed = await credential.authenticate(data, { baseURL: server.url, url: test.url as string, method: 'GET' });
		expect(signed.url).toBe(`${server.url}/v2/email/account`);
		expect(String((signed.headers as Record<string, string>).authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
		const answer = await send(signed);
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body).SendingEnabled).toBe(true);
	});

	it('a wrong secret is refused by the server, and the secret never appears in the request', async () => {
		const signed = await credential.authenticate({ ...data, secretAccessKey: 'not-the-secret' }, { url: `${server.url}/v2/email/account`, method: 'GET' });
		expect(JSON.stringify(signed)).not.toContain('not-the-secret');
		const answer = await send(signed);
		expect(answer.status).toBe(403);
		expect(answer.body).toContain('does not match');
	});

	it('signs a JSON body given as an object (serialised once, signed as sent)', async () => {
		const body = {
			FromEmailAddress: 'news@shop.example',
			Destination: { ToAddresses: ['a@example.com'] },
			Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } } },
		};
		const signed = await credential.authenticate(data, { url: `${server.url}/v2/email/outbound-emails`, method: 'POST', body });
		expect(typeof signed.body).toBe('string');
		const answer = await send(signed);
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body).MessageId).toBeTruthy();
	});
});

describe('Mandrill credential (key in the JSON body)', () => {
	let server: MandrillServer;
	beforeAll(async () => (server = await startMandrillServer()));
	afterAll(async () => server.close());
	const credential = new PersonalizationMandrillApi();

	it('adds the key to the test request /users/ping and Mandrill answers PONG!', async () => {
		const test = credential.test.request;
		const signed = await credential.authenticate({ apiKey: MANDRILL_TEST_KEY }, { url: `${server.url}${String(test.url)}`, method: 'POST', body: test.body as object });
		const answer = await send(signed);
		expect(answer).toEqual({ status: 200, body: '"PONG!"' });
		const wrong = await send(await credential.authenticate({ apiKey: 'bad' }, { url: `${server.url}/users/ping`, method: 'POST', body: {} }));
		expect(wrong.status).toBe(500);
		expect(JSON.parse(wrong.body).name).toBe('Invalid_Key');
	});

	it('keeps a string body a string, with the key added', async () => {
		const signed = await credential.authenticate({ apiKey: MANDRILL_TEST_KEY }, { url: 'x', method: 'POST', body: '{"message":{"to":[]}}' });
		expect(JSON.parse(signed.body as string)).toEqual({ key: MANDRILL_TEST_KEY, message: { to: [] } });
	});
});
