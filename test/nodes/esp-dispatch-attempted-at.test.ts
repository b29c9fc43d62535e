/**
 * ESP Dispatch's `attemptedAt`, through the real n8n engine against the local Postmark server: a
 * `failed` or `unknown` result that a request carried says when its last attempt was sent (ISO-8601
 * UTC), so that an A/B analysis can count the recipient as assigned (intention to treat) with a time
 * for its attribution window. A result never tried, and a sent one, carry none.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, account, postmarkServer } from '../dispatch/servers/postmark';

const people = (n: number, from: string, prefix: string): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `${prefix}${i}@example.com`, from, subject: `Hi ${i}`, html: `<p>Hi ${i}</p>` } }));

const wf = (options: IDataObject = {}) => {
	const n = node(
		'ESP Dispatch',
		'espDispatch',
		{
			operation: 'send',
			provider: 'postmark',
			mode: 'rendered',
			fromEmail: '={{ $json.from }}',
			toEmail: '={{ $json.email }}',
			subject: '={{ $json.subject }}',
			html: '={{ $json.html }}',
			campaignId: 'c1',
			options: { concurrency: 1, batchSize: 1, ...options },
		} as never,
		{ credentials: { personalizationPostmarkApi: { id: 'postmark-1', name: 'postmark account' } } },
	);
	return { nodes: [n], connections: chain(n.name) };
};

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('ESP Dispatch attemptedAt', () => {
	let postmark: ProviderServer;
	beforeAll(async () => (postmark = await postmarkServer().start()));
	afterAll(() => postmark.stop());
	beforeEach(() => {
		postmark.reset();
		Object.assign(account, { outOfCredits: false, senderSignatures: undefined, unconfirmed: new Set() });
	});
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });

	it('a failed result that was tried has attemptedAt; a sent one and one never tried have none', async () => {
		// Postmark ErrorCode 400 "Sender signature not found" for news@bad.example.com, whose later message is then not sent.
		account.senderSignatures = new Set(['news@shop.example.com']);
		const [bad0, bad1] = people(2, 'news@bad.example.com', 'user');
		const [good] = people(1, 'news@shop.example.com', 'other');
		const before = Date.now();
		const result = await runWorkflow(wf(), { input: [bad0, good, bad1], credentials: credentials() });
		const after = Date.now();
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['sent', 1], ['failed', 0]]);
		expect(out[0].attemptedAt).toMatch(ISO_UTC);
		const attempted = Date.parse(out[0].attemptedAt as string);
		expect(attempted).toBeGreaterThanOrEqual(before);
		expect(attempted).toBeLessThanOrEqual(after);
		expect(out[0].sentAt).toBeUndefined();
		expect(out[1].sentAt).toMatch(ISO_UTC);
		expect(out[1]).not.toHaveProperty('attemptedAt');
		expect(out[2]).not.toHaveProperty('attemptedAt');
	});

	it('an unknown result (the answer lost after Postmark accepted it) has attemptedAt beside its sentAt', async () => {
		postmark.inject('dropAfterAccept');
		const result = await runWorkflow(wf(), { input: people(1, 'news@shop.example.com', 'user'), credentials: credentials() });
		const [out] = result.items('ESP Dispatch').map((i) => i.json);
		expect(out).toMatchObject({ status: 'unknown', attempts: 1 });
		expect(out.attemptedAt).toMatch(ISO_UTC);
		expect(out.sentAt).toMatch(ISO_UTC);
		expect(postmark.accepted).toHaveLength(1);
	});
});
