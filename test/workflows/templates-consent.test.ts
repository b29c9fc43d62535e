/**
 * What the templates do before they record or mail: test events, suppression and consent.
 *
 * - Test events: Shopify marks a test order (`test: true`, "Whether this is a test order", Order
 *   resource) and its admin's "Send test notification" (`X-Shopify-Test: true`), Stripe an event in
 *   test mode (`livemode: false`, Event object) as `context.test: true` (README, "What the trigger
 *   answers"); "nothing downstream drops them by itself: filter them before Record Events", which
 *   counts a test order as revenue (and so in the nightly RFM / VIP scoring). The cart template
 *   records every Shopify or Stripe event it receives, so it drops them first.
 * - Suppression: ESP Dispatch does not open the profile store (README, Compliance); it reads a
 *   `suppression` (Check Suppression) or `profile` (Get Profile) written before it. Every template
 *   that mails must put one of them before Send, so an address that unsubscribed, hard-bounced or
 *   complained is not mailed again.
 * - Consent: the cart template's "Still subscribed?" leaves out a buyer who declined marketing
 *   (`accepts_marketing` false). The scheduled offers and the browse email are marketing too, so
 *   their "still subscribed" filter leaves out a customer whose Shopify email marketing consent is
 *   not `subscribed` (the profile trait `accepts_marketing` false), and still mails a customer the
 *   store has no consent record for, as the cart template does.
 *
 * The Filter nodes are n8n-nodes-base, not loaded here: their conditions are evaluated by n8n's own
 * expression engine on the items the template's own nodes produce; the end-to-end suite runs them
 * in a real n8n.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, IDataObject, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { loadPackage, P, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../harness/engine';
import { fixtureBody } from '../harness/event-fixtures';
import { onStoreFile, tempSqliteFile } from '../harness/profile-db';
import { SECRETS, signDelivery } from '../harness/signing';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';
import { startWebhook } from '../harness/webhook';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
type Template = { nodes: INode[]; connections: IConnections };
const template = (file: string): Template => JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as Template;
const node = (wf: Template, name: string): INode => {
	const found = wf.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node ${name}`);
	return found;
};
const next = (wf: Template, name: string, output = 0): string[] => (wf.connections[name]?.main?.[output] ?? []).map((c) => c.node);

type FilterCondition = { leftValue: string; operator: { type: string; operation: string } };
/**
 * Whether `json` passes the template's Filter node `name`: every condition of it is a boolean
 * "is true" (the templates' only kind) joined by "and", each evaluated by n8n's expression engine.
 */
async function passes(wf: Template, name: string, json: IDataObject): Promise<boolean> {
	const filter = node(wf, name);
	expect(filter.type).toBe('n8n-nodes-base.filter');
	const { conditions, combinator } = filter.parameters.conditions as { conditions: FilterCondition[]; combinator: string };
	expect(combinator).toBe('and');
	const pkg = await loadPackage();
	// any node of this package hosts the expression: n8n-nodes-base is not loaded here
	const host = new Workflow({ nodes: [{ id: 'h', name, type: `${P}customerProfile`, typeVersion: 1, position: [0, 0], parameters: { operation: 'get' } }], connections: {}, nodeTypes: pkg.nodeTypes, active: false });
	return conditions.every((c) => {
		expect(c.operator).toMatchObject({ type: 'boolean', operation: 'true' });
		return host.expression.resolveSimpleParameterValue(c.leftValue, {}, null as never, 0, 0, name, [{ json }], 'trigger', {}) === true;
	});
}

/** The events the template's trigger `name` emits for one signed delivery (source switched if given). */
async function deliver(wf: Template, name: string, body: Record<string, unknown>, headers: Record<string, string>, source?: string): Promise<IDataObject[]> {
	const trigger = node(wf, name);
	const parameters = source ? { ...trigger.parameters, source } : trigger.parameters;
	const server = await startWebhook(
		{ nodes: [{ ...trigger, parameters, credentials: { personalizationWebhookApi: { id: '1', name: 'Webhook secrets' } } }], connections: {} },
		{ credentials: { personalizationWebhookApi: { signingSecret: source === 'stripe' ? SECRETS.stripe : SECRETS.shopify } } },
	);
	try {
		const signed = signDelivery(source ?? 'shopify', JSON.stringify(body), { headers });
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		return reply.events;
	} finally {
		await server.close();
	}
}

const shopifyHeaders = (topic: string, id: string, extra: Record<string, string> = {}) => ({ 'x-shopify-topic': topic, 'x-shopify-webhook-id': id, 'x-shopify-shop-domain': 'example.myshopify.com', ...extra });

describe('templates: test events, suppression and consent', () => {
	describe('cart-abandonment-recovery.json: test events are dropped before they are recorded', () => {
		const file = 'cart-abandonment-recovery.json';
		const filter = 'Not a test event?';

		it('the trigger feeds "Not a test event?", which alone feeds Record event', () => {
			const wf = template(file);
			expect(next(wf, 'Shopify events')).toEqual([filter]);
			expect(next(wf, filter)).toEqual(['Record event']);
			expect(node(wf, 'Record event').parameters.operation).toBe('record');
		});

		it('a Shopify test order and a "Send test notification" checkout do not pass; the same order and checkout for real do', async () => {
			const wf = template(file);
			const order = fixtureBody('shopify', 'orders-create');
			const checkout = fixtureBody('shopify', 'checkouts-create');
			const [testOrder] = await deliver(wf, 'Shopify events', { ...order, test: true }, shopifyHeaders('orders/create', 'w-test-order'));
			const [notification] = await deliver(wf, 'Shopify events', checkout, shopifyHeaders('checkouts/create', 'w-test-notification', { 'x-shopify-test': 'true' }));
			const [realOrder] = await deliver(wf, 'Shopify events', { ...order, test: false }, shopifyHeaders('orders/create', 'w-real-order'));
			const [realCheckout] = await deliver(wf, 'Shopify events', checkout, shopifyHeaders('checkouts/create', 'w-real-checkout'));
			expect([testOrder.event, notification.event, realOrder.event, realCheckout.event]).toEqual(['Order Completed', 'Checkout Started', 'Order Completed', 'Checkout Started']);
			expect([await passes(wf, filter, testOrder), await passes(wf, filter, notification)]).toEqual([false, false]);
			expect([await passes(wf, filter, realOrder), await passes(wf, filter, realCheckout)]).toEqual([true, true]);
		});

		it('with the trigger switched to Stripe (as its sticky note says), an expired session in test mode does not pass, in live mode it does', async () => {
			const wf = template(file);
			const expired = fixtureBody('stripe', 'checkout.session.expired');
			const [test] = await deliver(wf, 'Shopify events', { ...expired, id: 'evt_test_1', livemode: false }, {}, 'stripe');
			const [live] = await deliver(wf, 'Shopify events', { ...expired, id: 'evt_live_1', livemode: true }, {}, 'stripe');
			expect([test.event, live.event]).toEqual(['Checkout Abandoned', 'Checkout Abandoned']);
			expect([await passes(wf, filter, test), await passes(wf, filter, live)]).toEqual([false, true]);
		});
	});

	describe('ab-test-dynamic-vs-static.json: a suppressed address gets no welcome', () => {
		const received: ReceivedMail[] = [];
		let inbox: SmtpInbox;
		beforeAll(async () => {
			inbox = await startSmtpInbox({ into: received });
		});
		afterAll(() => inbox.close());

		it('an address that unsubscribed or hard-bounced before signing up again is not mailed (status suppressed); a new one is', async () => {
			const file = 'ab-test-dynamic-vs-static.json';
			const wf = template(file);
			const db = tempSqliteFile();
			const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
			const at = (minutes: number) => ({ timestamp: ago(minutes), receivedAt: ago(minutes) });
			// the template's own Record node, on a test store
			const record = { ...node(wf, 'Record event'), parameters: { operation: 'record', databaseFile: db } };
			const history = [
				{ type: 'track', event: 'Unsubscribed', messageId: 'mg-unsub-1', ...at(600), email: 'ada@example.com', properties: {} },
				{ type: 'track', event: 'Email Bounced', messageId: 'mg-bounce-1', ...at(500), email: 'bob@example.com', properties: { bounce_type: 'hard' } },
			];
			const before = await runWorkflow({ nodes: [record], connections: {} }, { input: history.map((json) => ({ json })) });
			expect(before.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded']);

			// The template's path from Record event to Send (its n8n-nodes-base "Is a sign-up?" passes these sign-ups).
			const order = ['Record event'];
			for (let name = 'Record event'; name !== 'Send'; ) {
				name = next(wf, name)[0];
				if (!name) throw new Error('no path from Record event to Send');
				order.push(name);
			}
			const kept = order.filter((name) => node(wf, name).type.startsWith(P));
			const nodes = kept.map((name) => {
				const n = node(wf, name);
				return onStoreFile(n, db);
			});
			const connections: IConnections = {};
			for (let k = 0; k < kept.length - 1; k++) connections[kept[k]] = { main: [[{ node: kept[k + 1], type: 'main', index: 0 }]] };
			const signUps = ['ada@example.com', 'bob@example.com', 'cy@example.com'].map((email, k) => ({
				json: { type: 'track', event: 'Signed Up', messageId: `seg-signup-${k}`, ...at(1), userId: `u-${k}`, email, traits: { first_name: 'Ann' }, properties: {} } as IDataObject,
			}));
			const workflow: WorkflowJson = { nodes, connections };
			const run = await runWorkflow(workflow, {
				input: signUps,
				credentials: { personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, ignoreSslIssues: false } },
				mode: 'trigger',
			});
			expect(run.error).toBeUndefined();
			expect(run.items('Send').map((i) => [i.json.recipient ?? i.json.email, i.json.status])).toEqual([
				['ada@example.com', 'suppressed'],
				['bob@example.com', 'suppressed'],
				['cy@example.com', 'sent'],
			]);
			expect(received.map((r) => r.to[0])).toEqual(['cy@example.com']);
		});
	});

	/**
	 * Segment's usual sign-up is identify(userId, { email }) then track('Signed Up'): the track
	 * carries the userId and no address (the Segment source takes `email` from traits or
	 * properties.email only), so "Is a sign-up?" (`!!$json.email`) dropped it and the welcome never
	 * went out. The template now gets the profile first and uses the event's address, else the
	 * profile's (as browse-abandonment does), in the filter, the A/B split, Check Suppression, the
	 * key and the unsubscribe link.
	 *
	 * The path from Record event to Send as the template wires it: this package's nodes through the
	 * real n8n engine, its Filter nodes (n8n-nodes-base, not loaded here) by n8n's expression engine.
	 */
	describe('ab-test-dynamic-vs-static.json: a Signed Up track without an address (Segment identify, then track)', () => {
		const received: ReceivedMail[] = [];
		let inbox: SmtpInbox;
		beforeAll(async () => {
			inbox = await startSmtpInbox({ into: received });
		});
		afterAll(() => inbox.close());

		it('is welcomed at the address the identify call recorded; a sign-up nobody has an address for is left out without error', async () => {
			const file = 'ab-test-dynamic-vs-static.json';
			const wf = template(file);
			const db = tempSqliteFile();
			const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
			const at = (minutes: number) => ({ timestamp: ago(minutes), receivedAt: ago(minutes) });
			const credentials = { personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, ignoreSslIssues: false } };
			const withDb = (n: INode): INode => onStoreFile(n, db);

			/** Runs the template from `from` to Send on `input`: runs of this package's nodes through the engine, Filters in between. */
			async function throughTemplate(from: string, input: IDataObject[]): Promise<IDataObject[]> {
				let items = input;
				let run: string[] = [];
				const flush = async () => {
					if (run.length === 0 || items.length === 0) return;
					const connections: IConnections = {};
					for (let k = 0; k < run.length - 1; k++) connections[run[k]] = { main: [[{ node: run[k + 1], type: 'main', index: 0 }]] };
					const result = await runWorkflow({ nodes: run.map((name) => withDb(node(wf, name))), connections }, { input: items.map((json) => ({ json })), credentials, mode: 'trigger' });
					expect(result.error).toBeUndefined();
					items = result.items(run[run.length - 1]).map((i) => i.json);
					run = [];
				};
				for (let name: string | undefined = from; name; name = next(wf, name)[0]) {
					if (node(wf, name).type === 'n8n-nodes-base.filter') {
						await flush();
						const kept: IDataObject[] = [];
						for (const json of items) if (await passes(wf, name, json)) kept.push(json);
						items = kept;
					} else run.push(name);
					if (name === 'Send') break;
				}
				await flush();
				return items;
			}

			// analytics.js: identify('u-ada', { email, first_name }) a minute before track('Signed Up'), which has no email
			const identify = { type: 'identify', event: 'Identify', messageId: 'seg-id-ada', ...at(2), userId: 'u-ada', anonymousId: null, email: 'ada@example.com', traits: { email: 'ada@example.com', first_name: 'Ada' }, properties: {} };
			const adaSignUp = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-ada', ...at(1), userId: 'u-ada', anonymousId: null, email: null, traits: {}, properties: { type: 'newsletter' } };
			// a sign-up that carries its address (the path the template always took), and one nobody has an address for
			const bobSignUp = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-bob', ...at(1), userId: 'u-bob', anonymousId: null, email: 'bob@example.com', traits: { first_name: 'Bob' }, properties: {} };
			const nobody = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-x', ...at(1), userId: 'u-x', anonymousId: null, email: null, traits: {}, properties: {} };
			await throughTemplate('Record event', [identify as IDataObject]);
			const sent = await throughTemplate('Record event', [adaSignUp, bobSignUp, nobody] as IDataObject[]);

			// ADA: `printf %s ada@example.com | sha256sum`
			const ADA = 'b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72';
			expect(sent.map((i) => [i.recipient, i.status])).toEqual([
				['ada@example.com', 'sent'],
				['bob@example.com', 'sent'],
			]);
			expect(sent[0].idempotencyKey).toBe(`welcome:${ADA}`);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
			const unsubscribe = 'https://shop.example.com/unsubscribe?email=ada%40example.com';
			expect(received[0].mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toContain(`<${unsubscribe}>`);
			expect(received[0].mail.html).toContain(`href="${unsubscribe}"`);
			// Ada's variant is her address's, the one a Signed Up carrying her address gets
			const ab = node(wf, 'A/B: dynamic vs static');
			const direct = await runWorkflow({ nodes: [ab], connections: {} }, { input: [{ json: { email: 'ada@example.com' } }] });
			expect(received[0].mail.headerLines.find((h) => h.key === 'x-pz-variant')?.line).toBe(`X-Pz-Variant: ${String(direct.items(ab.name)[0].json.variant)}`);
		});

		it('an address that unsubscribed is not welcomed when the Signed Up track has no address either', async () => {
			const wf = template('ab-test-dynamic-vs-static.json');
			const db = tempSqliteFile();
			const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
			const at = (minutes: number) => ({ timestamp: ago(minutes), receivedAt: ago(minutes) });
			// an unsubscribe reported by the ESP on an address-only profile, then identify + Signed Up (no email) by userId
			const events = [
				{ type: 'track', event: 'Unsubscribed', messageId: 'mg-unsub-cy', ...at(600), userId: null, anonymousId: null, email: 'cy@example.com', properties: {} },
				{ type: 'identify', event: 'Identify', messageId: 'seg-id-cy', ...at(2), userId: 'u-cy', anonymousId: null, email: 'cy@example.com', traits: { email: 'cy@example.com' }, properties: {} },
			];
			const record = { ...node(wf, 'Record event'), parameters: { operation: 'record', databaseFile: db } };
			await runWorkflow({ nodes: [record], connections: {} }, { input: events.map((json) => ({ json: json as IDataObject })) });
			const signUp = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-cy', ...at(1), userId: 'u-cy', anonymousId: null, email: null, traits: {}, properties: {} };
			const recorded = await runWorkflow({ nodes: [record], connections: {} }, { input: [{ json: signUp as IDataObject }] });
			// Record's output, then the template's nodes up to Check suppression (the filter by n8n's expression engine)
			let items = recorded.items('Record event').map((i) => i.json);
			for (let name = next(wf, 'Record event')[0]; ; name = next(wf, name)[0]) {
				const n = node(wf, name);
				if (n.type === 'n8n-nodes-base.filter') {
					const kept: IDataObject[] = [];
					for (const json of items) if (await passes(wf, name, json)) kept.push(json);
					items = kept;
				} else {
					const result = await runWorkflow({ nodes: [{ ...n, parameters: { ...n.parameters, databaseFile: db } }], connections: {} }, { input: items.map((json) => ({ json })) });
					expect(result.error).toBeUndefined();
					items = result.items(name).map((i) => i.json);
				}
				if (name === 'Check suppression') break;
			}
			expect(items.map((i) => [(i.profile as IDataObject | undefined)?.email, (i.suppression as IDataObject).suppressed])).toEqual([['cy@example.com', true]]);
		});
	});

	describe('browse, VIP and re-engagement: a customer who did not consent to marketing gets no marketing email', () => {
		const filters = [
			['browse-abandonment.json', 'Known and subscribed?'],
			['nightly-rfm-vip.json', 'Still subscribed?'],
			['re-engagement-dates.json', 'Still subscribed?'],
		] as const;

		it.each(filters)('%s "%s": Shopify consent not_subscribed or unsubscribed → left out; subscribed, or no consent record → mailed', async (file, filter) => {
			// Shopify's customers/update of four customers (the topic that carries email_marketing_consent)
			// through the cart template's own trigger and Record node, then the template's own Get profile,
			// on one test store.
			const cart = template('cart-abandonment-recovery.json');
			const db = tempSqliteFile();
			const customers = [
				['ada@example.com', 'not_subscribed'],
				['bob@example.com', 'unsubscribed'],
				['cy@example.com', 'subscribed'],
				['dee@example.com', undefined],
			] as const;
			const events: IDataObject[] = [];
			for (const [k, [email, state]] of customers.entries()) {
				const customer = fixtureBody('shopify', 'customers-update');
				Object.assign(customer, { id: 8100 + k, admin_graphql_api_id: `gid://shopify/Customer/${8100 + k}`, email, updated_at: new Date(Date.now() - 3_600_000).toISOString() });
				customer.email_marketing_consent = state ? { state, opt_in_level: 'single_opt_in', consent_updated_at: null } : null;
				events.push(...(await deliver(cart, 'Shopify events', customer, shopifyHeaders('customers/update', `w-customer-${k}`))));
			}
			const record = { ...node(cart, 'Record event'), parameters: { operation: 'record', databaseFile: db } };
			const recorded = await runWorkflow({ nodes: [record], connections: {} }, { input: events.map((json) => ({ json })) });
			expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);

			const wf = template(file);
			const get = node(wf, 'Get profile');
			expect(next(wf, 'Get profile')).toEqual([filter]);
			const got = await runWorkflow({ nodes: [{ ...get, parameters: { ...get.parameters, databaseFile: db } }], connections: {} }, { input: customers.map(([email]) => ({ json: { email } })) });
			expect(got.error).toBeUndefined();
			const profiles = got.items('Get profile').map((i) => i.json);
			expect(profiles.map((p) => ((p.profile as IDataObject).traits as IDataObject).accepts_marketing)).toEqual([false, false, true, undefined]);
			const verdicts: boolean[] = [];
			for (const json of profiles) verdicts.push(await passes(wf, filter, json));
			expect(verdicts).toEqual([false, false, true, true]);
		});
	});

	/**
	 * The cart template read consent only from the checkout (`properties.accepts_marketing`, Shopify's
	 * `buyer_accepts_marketing`): a checkout without that field (a subscription with `include_fields`,
	 * a Segment-style checkout, a custom source) was mailed even when the customer had declined
	 * marketing (profile trait `accepts_marketing` false, from Shopify's customers/update, as the
	 * README asks). "Still subscribed?" now takes the checkout's answer when it has one, else the
	 * profile's; "Get profile" runs before it.
	 */
	describe('cart-abandonment-recovery.json: a checkout without the consent field falls back to the profile\'s consent', () => {
		it('declined in the profile, checkout silent → no email; subscribed or no record in the profile → mailed; the checkout\'s own answer wins when present', async () => {
			const file = 'cart-abandonment-recovery.json';
			const wf = template(file);
			// on the template's path after the wait, Get profile comes before "Still subscribed?"
			const order: string[] = [];
			for (let name = 'Wait 1 hour'; name !== 'Send'; ) {
				order.push(name);
				const outputs = wf.connections[name]?.main ?? [];
				name = outputs.find((o) => (o ?? []).length > 0)![0].node;
			}
			expect(order.indexOf('Get profile')).toBeGreaterThan(-1);
			expect(order.indexOf('Get profile')).toBeLessThan(order.indexOf('Still subscribed?'));

			const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
			const customers = [
				['ada@example.com', 'not_subscribed'],
				['bob@example.com', 'subscribed'],
				['cy@example.com', undefined],
				['dee@example.com', 'not_subscribed'],
				['eve@example.com', 'subscribed'],
			] as const;
			// the checkout's box: absent for the first three, ticked for Dee, unticked for Eve
			const box = [undefined, undefined, undefined, true, false];
			const events: IDataObject[] = [];
			const checkouts: IDataObject[] = [];
			for (const [k, [email, state]] of customers.entries()) {
				const customer = fixtureBody('shopify', 'customers-update');
				Object.assign(customer, { id: 8200 + k, admin_graphql_api_id: `gid://shopify/Customer/${8200 + k}`, email, updated_at: hourAgo });
				customer.email_marketing_consent = state ? { state, opt_in_level: 'single_opt_in', consent_updated_at: null } : null;
				events.push(...(await deliver(wf, 'Shopify events', customer, shopifyHeaders('customers/update', `w-cust-${k}`))));
				const checkout = fixtureBody('shopify', 'checkouts-create');
				Object.assign(checkout, { id: 9200 + k, token: `tok-${k}`, email, created_at: hourAgo, updated_at: hourAgo });
				Object.assign(checkout.customer as IDataObject, { id: 8200 + k, admin_graphql_api_id: `gid://shopify/Customer/${8200 + k}`, email });
				if (box[k] === undefined) delete checkout.buyer_accepts_marketing;
				else checkout.buyer_accepts_marketing = box[k];
				const [event] = await deliver(wf, 'Shopify events', checkout, shopifyHeaders('checkouts/create', `w-checkout-${k}`));
				checkouts.push(event);
			}
			expect(checkouts.map((c) => (c.properties as IDataObject).accepts_marketing)).toEqual([undefined, undefined, undefined, true, false]);
			const db = tempSqliteFile();
			const record = { ...node(wf, 'Record event'), parameters: { operation: 'record', databaseFile: db } };
			const recorded = await runWorkflow({ nodes: [record], connections: {} }, { input: [...events, ...checkouts].map((json) => ({ json })) });
			expect(recorded.error).toBeUndefined();
			const get = node(wf, 'Get profile');
			const got = await runWorkflow({ nodes: [{ ...get, parameters: { ...get.parameters, databaseFile: db } }], connections: {} }, { input: checkouts.map((json) => ({ json })) });
			expect(got.error).toBeUndefined();
			const items = got.items('Get profile').map((i) => i.json);
			expect(items.map((i) => ((i.profile as IDataObject).traits as IDataObject).accepts_marketing)).toEqual([false, true, undefined, false, true]);
			const verdicts: string[] = [];
			for (const json of items) verdicts.push(`${String(json.email)} ${String(await passes(wf, 'Still subscribed?', json))}`);
			expect(verdicts).toEqual(['ada@example.com false', 'bob@example.com true', 'cy@example.com true', 'dee@example.com true', 'eve@example.com false']);
		});
	});

	describe('browse-abandonment.json: a visitor known by userId only (Segment track without traits)', () => {
		const received: ReceivedMail[] = [];
		let inbox: SmtpInbox;
		beforeAll(async () => {
			inbox = await startSmtpInbox({ into: received });
		});
		afterAll(() => inbox.close());

		/**
		 * Segment's track spec carries `userId`, not the address (it is in the identify call's
		 * traits): the canonical Product Viewed has `email: null`, the profile has the address.
		 * ESP Dispatch 1.1 mails `$json.email || $json.profile?.email` by default; the filter dropped
		 * such a view, and the unsubscribe link read `$json.email` alone ("?email=undefined").
		 */
		it('passes "Known and subscribed?" and is mailed at the profile\'s address, with its own unsubscribe link', async () => {
			const file = 'browse-abandonment.json';
			const wf = template(file);
			const db = tempSqliteFile();
			const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
			const at = (minutes: number) => ({ timestamp: ago(minutes), receivedAt: ago(minutes) });
			const record = { ...node(wf, 'Record event'), parameters: { operation: 'record', databaseFile: db } };
			const identify = { type: 'identify', event: 'Identify', messageId: 'seg-id-1', ...at(300), userId: 'u-ada', anonymousId: null, email: 'ada@example.com', traits: { email: 'ada@example.com', first_name: 'Ada' }, properties: {} };
			const view = { type: 'track', event: 'Product Viewed', messageId: 'seg-view-1', ...at(130), userId: 'u-ada', anonymousId: null, email: null, properties: { product_id: 'p1', name: 'Wool scarf', price: 39, url: 'https://shop.example.com/p/scarf' } };
			const recorded = await runWorkflow({ nodes: [record], connections: {} }, { input: [identify, view].map((json) => ({ json: json as IDataObject })) });
			expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded']);

			const order: string[] = [];
			for (let name = 'Viewed again since?'; ; ) {
				order.push(name);
				if (name === 'Send') break;
				const outputs = wf.connections[name]?.main ?? [];
				name = outputs.find((o) => (o ?? []).length > 0)![0].node;
			}
			const got = order.indexOf('Known and subscribed?');
			expect(got).toBeGreaterThan(0);
			const path = order.filter((name) => node(wf, name).type.startsWith(P));
			const outputOf = (name: string) => (wf.connections[name]?.main ?? []).findIndex((o) => (o ?? []).length > 0);
			const nodes = path.map((name) => {
				const n = node(wf, name);
				return onStoreFile(n, db);
			});
			const connections: IConnections = {};
			for (let k = 0; k < path.length - 1; k++) {
				const main: IConnections[string]['main'] = [];
				for (let o = 0; o < outputOf(path[k]); o++) main.push([]);
				main.push([{ node: path[k + 1], type: 'main', index: 0 }]);
				connections[path[k]] = { main };
			}
			// up to Get profile, then the filter (n8n's expression engine), then Render → Send
			const upTo = (last: string): WorkflowJson => {
				const names = path.slice(0, path.indexOf(last) + 1);
				return { nodes: nodes.filter((n) => names.includes(n.name)), connections: Object.fromEntries(Object.entries(connections).filter(([k]) => names.includes(k) && k !== last)) };
			};
			const before = await runWorkflow(upTo('Get profile'), { input: [{ json: view as IDataObject }] });
			expect(before.error).toBeUndefined();
			const item = before.items('Get profile')[0].json;
			expect(await passes(wf, 'Known and subscribed?', item)).toBe(true);
			const rest = path.slice(path.indexOf('Get profile') + 1);
			const send = await runWorkflow(
				{ nodes: nodes.filter((n) => rest.includes(n.name)), connections: Object.fromEntries(Object.entries(connections).filter(([k]) => rest.includes(k))) },
				{ input: [{ json: item }], credentials: { personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, ignoreSslIssues: false } }, mode: 'trigger' },
			);
			expect(send.error).toBeUndefined();
			expect(send.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com']);
			const unsubscribe = 'https://shop.example.com/unsubscribe?email=ada%40example.com';
			expect(received[0].mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toContain(`<${unsubscribe}>`);
			expect(received[0].mail.html).toContain(`href="${unsubscribe}"`);
		});
	});
});
