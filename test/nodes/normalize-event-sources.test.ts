/**
 * Normalize Event with every source, headers from n8n's Webhook node output, the optional
 * signature check over a raw body field (text or binary), and a property test: whatever the body,
 * only NodeOperationError escapes and every emitted event has event, messageId and timestamp.
 */
import fc from 'fast-check';
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { P, loadPackage, runWorkflow, type WorkflowJson } from '../harness/engine';
import { canonicalEventErrors } from '../harness/schema';
import { CUSTOM_MAPPING, SECRETS, SENDGRID_PUBLIC_KEY, loadFixtures, nowSeconds, signDelivery } from '../harness/signing';

const fixtures = loadFixtures();
const fixture = (source: string, name: string) => fixtures.find((f) => f.source === source && f.name === name)!.fixture;

function workflow(parameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson {
	return {
		nodes: [
			{
				id: 'normalize',
				name: 'Normalize Event',
				type: `${P}normalizeEvent`,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { personalizationWebhookApi: { id: '1', name: 'secrets' } },
				...extra,
			},
		],
		connections: {},
	};
}

const credentialsFor = (source: string) => ({
	personalizationWebhookApi: {
		signingSecret: ((SECRETS as Record<string, unknown>)[source] as string) ?? '',
		verificationKey: SENDGRID_PUBLIC_KEY,
		user: SECRETS.postmark.username,
		password: SECRETS.postmark.password,
		token: SECRETS.brevo.token,
	},
});

const customParams = {
	customEventPath: CUSTOM_MAPPING.eventPath,
	customMapping: { ...CUSTOM_MAPPING, eventMap: JSON.stringify(CUSTOM_MAPPING.eventMap) },
};

describe('Normalize Event: every source from items shaped like n8n Webhook output', () => {
	it.each(fixtures.map((f) => [`${f.source}/${f.name}`, f] as const))('%s', async (_n, { source, fixture: f }) => {
		const result = await runWorkflow(workflow({ source, payloadField: 'body', headersField: 'headers', onUnknown: 'passThrough', ...(source === 'custom' ? customParams : {}) }), {
			input: [{ json: { headers: f.headers, body: f.body as never, query: {} } }],
		});
		expect(result.error).toBeUndefined();
		const items = result.items('Normalize Event');
		const expected = Array.isArray(f.expect) ? f.expect : [f.expect];
		// passThrough keeps unmapped topics (SendGrid "deferred") as Unknown: one more item than mapped.
		expect(items.length).toBeGreaterThanOrEqual(expected.length);
		expected.forEach((e, i) => expect(items[i].json).toMatchObject(e));
		for (const item of items) {
			expect(canonicalEventErrors(item.json)).toEqual([]);
			expect(item.pairedItem).toEqual({ item: 0 });
		}
	});
});

describe('Normalize Event: unmapped topics in a batch', () => {
	// SendGrid's documented example of every event type (one POST carries a batch), with "deferred",
	// which no canonical event stands for: the trigger's default leaves it out and keeps the rest.
	const f = fixture('sendgrid', 'batch-all-events');
	const body = f.body as Array<{ event: string }>;
	const mapped = (Array.isArray(f.expect) ? f.expect : [f.expect]).length;

	it('"Drop Them" is offered, as the trigger offers "Acknowledge and Ignore"', async () => {
		const { nodeTypes } = await loadPackage();
		const description = nodeTypes.getByNameAndVersion(`${P}normalizeEvent`, 1).description;
		const onUnknown = description.properties.find((p) => p.name === 'onUnknown');
		expect((onUnknown?.options as Array<{ value: string }>).map((o) => o.value)).toContain('skip');
	});

	it('"Drop Them": the batch keeps its mapped events, paired with the item; a batch of only unmapped topics yields one skipped marker', async () => {
		expect(body.filter((e) => e.event === 'deferred')).toHaveLength(1);
		const result = await runWorkflow(workflow({ source: 'sendgrid', payloadField: 'body', onUnknown: 'skip' }), {
			input: [{ json: { headers: {}, body: body as never } }, { json: { headers: {}, body: body.filter((e) => e.event === 'deferred') as never } }],
		});
		expect(result.error).toBeUndefined();
		const items = result.items('Normalize Event');
		expect(items.filter((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toHaveLength(mapped);
		expect(items.map((i) => i.json.event)).not.toContain('Unknown');
		expect(items[items.length - 1]).toEqual({
			json: { event: null, skipped: true, reason: 'The payload held no events to emit: an empty batch, or only topics this source does not map (dropped by On Unknown Event)', source: 'sendgrid' },
			pairedItem: { item: 1 },
		});
		expect(items).toHaveLength(mapped + 1);
	});
});

describe('Normalize Event: signature check', () => {
	const f = fixture('woocommerce', 'order.created');
	const raw = JSON.stringify(f.body);
	const signed = signDelivery('woocommerce', raw, { headers: f.headers });
	const params = { source: 'woocommerce', signatureCheck: 'verify', rawBodyField: 'rawBody', headersField: 'headers' };

	it('verifies a raw body given as text and normalizes it', async () => {
		const result = await runWorkflow(workflow(params), { input: [{ json: { headers: signed.headers, rawBody: raw } }], credentials: credentialsFor('woocommerce') });
		expect(result.error).toBeUndefined();
		expect(result.items('Normalize Event').map((i) => i.json.event)).toEqual(['Order Completed']);
	});

	it('verifies a raw body given as binary (n8n Webhook node, Options → Raw Body)', async () => {
		const item: INodeExecutionData = {
			json: { headers: signed.headers },
			binary: { data: { data: Buffer.from(raw).toString('base64'), mimeType: 'application/json', fileName: 'body.json' } },
		};
		const result = await runWorkflow(workflow({ ...params, rawBodyField: 'data' }), { input: [item], credentials: credentialsFor('woocommerce') });
		expect(result.error).toBeUndefined();
		expect(result.items('Normalize Event')[0].json.messageId).toBe('36e520ebabc2fa725092ff4a47acedf2');
	});

	it('fails a tampered item with an error naming the item; Continue On Fail keeps the others', async () => {
		const input = [
			{ json: { headers: signed.headers, rawBody: raw } },
			{ json: { headers: signed.headers, rawBody: raw.replace('29.35', '0.01') } },
			{ json: { headers: signed.headers } },
		];
		const strict = await runWorkflow(workflow(params), { input, credentials: credentialsFor('woocommerce') });
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toBe('Item 1: the signature check failed: the x-wc-webhook-signature signature does not match the body');
		const lenient = await runWorkflow(workflow(params, { onError: 'continueRegularOutput' }), { input, credentials: credentialsFor('woocommerce') });
		const items = lenient.items('Normalize Event');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.event).toBe('Order Completed');
		expect(String(items[1].json.error)).toContain('signature check failed');
		expect(String(items[2].json.error)).toContain('no raw body in "rawBody"');
		expect(JSON.stringify(items)).not.toContain(SECRETS.woocommerce);
	});
});

describe('Normalize Event: what a failed check tells the operator', () => {
	const f = fixture('woocommerce', 'order.created');
	const raw = JSON.stringify(f.body);
	const signed = signDelivery('woocommerce', raw, { headers: f.headers });
	const params = { source: 'woocommerce', signatureCheck: 'verify', rawBodyField: 'rawBody', headersField: 'headers' };

	it('a body re-serialized before the check (not the bytes WooCommerce signed): the error says to pass the raw body', async () => {
		const reserialized = JSON.stringify(JSON.parse(raw), null, 2);
		const result = await runWorkflow(workflow(params), { input: [{ json: { headers: signed.headers, rawBody: reserialized } }], credentials: credentialsFor('woocommerce') });
		expect(result.error?.message).toBe('Item 0: the signature check failed: the x-wc-webhook-signature signature does not match the body');
		expect(result.error?.description).toContain('Raw Body');
		expect(result.error?.description).not.toContain(SECRETS.woocommerce);
	});

	it('no secret in the credential: the error says which credential field to fill in', async () => {
		const result = await runWorkflow(workflow(params), { input: [{ json: { headers: signed.headers, rawBody: raw } }], credentials: { personalizationWebhookApi: { signingSecret: '' } } });
		expect(result.error?.message).toBe('Item 0: the signature check failed: no signing secret is set in the credential');
		expect(result.error?.description).toContain('Personalization Webhook Secrets');
	});

	it('a Replay Window set by an expression that gives no number keeps the default 300 s (NaN would switch the check off)', async () => {
		const stripe = fixture('stripe', 'charge.refunded');
		const old = signDelivery('stripe', JSON.stringify(stripe.body), { timestamp: nowSeconds() - 30 * 86400 });
		const result = await runWorkflow(workflow({ source: 'stripe', signatureCheck: 'verify', rawBodyField: 'rawBody', options: { replayWindowSeconds: '={{ Number("x") }}' } }), {
			input: [{ json: { headers: old.headers, rawBody: old.body } }],
			credentials: credentialsFor('stripe'),
		});
		expect(result.error?.message).toBe('Item 0: the signature check failed: the signature timestamp is outside the 300 s replay window');
	});

	it('SES from a topic that is not listed: a 403-type refusal, named as such (not as a failed signature)', async () => {
		const sesRaw = JSON.stringify(fixture('ses', 'bounce').body);
		const sesSigned = signDelivery('ses', sesRaw);
		const result = await runWorkflow(workflow({ source: 'ses', signatureCheck: 'verify', rawBodyField: 'rawBody', allowedTopicArns: 'arn:aws:sns:eu-west-1:1:other' }), {
			input: [{ json: { headers: sesSigned.headers, rawBody: sesSigned.body } }],
		});
		expect(result.error?.message).toBe('Item 0: the SNS TopicArn is not in the allowed list');
		expect(result.error?.description).toContain('Allowed SNS Topic ARNs');
	});
});

describe('Normalize Event: property', () => {
	it('an empty batch yields one skipped marker item, not an event (seed found by the property test below)', async () => {
		const result = await runWorkflow(workflow({ source: 'sendgrid', payloadField: 'body', onUnknown: 'error' }), { input: [{ json: { headers: {}, body: [] as never } }] });
		expect(result.error).toBeUndefined();
		expect(result.items('Normalize Event').map((i) => i.json)).toEqual([{ event: null, skipped: true, reason: 'The payload held no events', source: 'sendgrid' }]);
	});

	it('random or truncated bodies: only NodeOperationError escapes, events are complete', async () => {
		const sources = [...new Set(fixtures.map((f) => f.source))];
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...fixtures),
				fc.oneof(
					fc.double({ min: 0, max: 1, noNaN: true }).map((cut) => ({ cut })),
					fc.jsonValue().map((value) => ({ value })),
				),
				fc.constantFrom(...sources),
				async (f, change, source) => {
					const raw = JSON.stringify(f.fixture.body);
					const body = 'cut' in change ? raw.slice(0, Math.floor(raw.length * change.cut)) : change.value;
					const result = await runWorkflow(workflow({ source, payloadField: 'body', onUnknown: 'error', ...(source === 'custom' ? customParams : {}) }), {
						input: [{ json: { headers: f.fixture.headers, body: body as never } }],
					});
					if (result.error) {
						expect(result.error.name).toBe('NodeOperationError');
						return;
					}
					for (const item of result.items('Normalize Event')) {
						// An empty batch (e.g. SendGrid `[]`) keeps its input item as one documented "skipped" marker.
						if (item.json.skipped === true) {
							expect(item.json).toEqual({ event: null, skipped: true, reason: 'The payload held no events', source });
							continue;
						}
						expect(item.json.event).toEqual(expect.any(String));
						expect(item.json.messageId).toEqual(expect.any(String));
						expect(canonicalEventErrors(item.json)).toEqual([]);
					}
				},
			),
			{ numRuns: 60 },
		);
	});
});
