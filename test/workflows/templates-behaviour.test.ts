/**
 * What the templates promise beyond one happy send, run through the real n8n engine with the
 * templates' own nodes (this package's nodes; the n8n-nodes-base Filter nodes on the way are left
 * out, and the items given pass them: known, subscribed customers with an email), a real SQLite
 * profile store and a real SMTP server.
 *
 * - "at most once a month": the scheduled templates run every day, so a customer who still
 *   qualifies the next days (a Champion stays a Champion, an inactive customer stays inactive)
 *   must not be mailed again within the month. ESP Dispatch remembers sent keys for its
 *   Duplicate Window (default 24 hours), so the window must cover the month the key promises.
 * - Overlapping waits: in n8n every execution works on a copy of the workflow static data taken
 *   when it starts (WorkflowRunner builds the Workflow from `workflowData.staticData`; a waiting
 *   execution resumes with the copy stored with it, wait-tracker.ts) and saves that whole copy when
 *   it ends, erasing the keys other executions saved meanwhile. The templates' Send nodes therefore
 *   keep their sent keys in the customer profile store (Sent-Key Memory = Customer Profile Store:
 *   the `pz_sent_keys` table of the same SQLite file as their Customer Profile nodes), each key
 *   claimed before sending, so every execution sees every other's keys, a manual run's included;
 *   the runs below start with empty static data and share one store. Still, after the wait, an
 *   execution whose customer has a newer checkout or view leaves the email to that event's
 *   execution (which has the latest cart).
 * - One bad recipient in a scheduled batch: ESP Dispatch refuses an address it cannot mail
 *   (`ann@gmail`, which Customer Profile keeps: its check is one `@` and no white space) by
 *   failing the node, unless it continues on error; without that, nobody of the night's batch is
 *   mailed. A Champion without an email address (a phone-only customer) made Get Profile fail the
 *   same way.
 *
 * The scheduled runs are placed at the templates' hours in n8n's default time zone
 * (America/New_York, EDT = UTC-4 after 2026-03-08), where `$now` in the keys is read.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, INodeTypeDescription, INodeTypes } from 'n8n-workflow';
import { NodeOperationError, Workflow } from 'n8n-workflow';
import { loadPackage, P, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../harness/engine';
import { sentKeyTable, StoreSentKeys } from '../../nodes/engines/dispatch/sentKeys';
import { closeAllStores, openStore, SqliteProfileStore } from '../../nodes/engines/profile';
import { fixtureBody, normalizedOne, shopifyOrder } from '../harness/event-fixtures';
import { onStoreFile, tempSqliteFile } from '../harness/profile-db';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
type Template = { nodes: INode[]; connections: IConnections };
/** SHA-256 hex of a string (node:crypto; the templates hash addresses in n8n expressions, `.hash('sha256')`). */
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const template = (file: string): Template => JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as Template;

/**
 * The template's main path from `from` to `to` (each node's first connected output, as the
 * template wires it: a Check Event Since routed to "Not Happened" stays on output 1), without
 * the n8n-nodes-base nodes on it, every Customer Profile node and the sent-key memory of every ESP
 * Dispatch node (Sent-Key Memory = Customer Profile Store) on the given SQLite file.
 */
function mainPath(file: string, from: string, to: string, databaseFile: string): WorkflowJson {
	const wf = template(file);
	const steps: Array<{ node: INode; output: number }> = [];
	let name = from;
	for (;;) {
		const node = wf.nodes.find((n) => n.name === name);
		if (!node) throw new Error(`${file}: no node ${name}`);
		const outputs = wf.connections[name]?.main ?? [];
		const output = outputs.findIndex((o) => (o ?? []).length > 0);
		steps.push({ node, output });
		if (name === to) break;
		if (output < 0) throw new Error(`${file}: no path from ${from} to ${to}`);
		name = outputs[output]![0].node;
	}
	const kept = steps.filter((s) => s.node.type.startsWith(P));
	const nodes = kept.map(({ node }) => onStoreFile(node, databaseFile));
	const connections: IConnections = {};
	for (let k = 0; k < kept.length - 1; k++) {
		const main: IConnections[string]['main'] = [];
		for (let o = 0; o < kept[k].output; o++) main.push([]);
		main.push([{ node: kept[k + 1].node.name, type: 'main', index: 0 }]);
		connections[kept[k].node.name] = { main };
	}
	return { nodes, connections };
}

/** Only `Date` is faked: SMTP sockets and the engine's timers run as usual. */
function at(iso: string) {
	jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
	jest.setSystemTime(new Date(iso));
}

/**
 * A Set node (n8n-nodes-base, not loaded here) with "Include Other Fields": its assignments
 * evaluated by n8n's expression engine on `json`, each on the node's input item (as Set does).
 */
async function assigned(wf: Template, name: string, json: IDataObject): Promise<IDataObject> {
	const set = wf.nodes.find((n) => n.name === name)!;
	expect([set.type, set.parameters.includeOtherFields]).toEqual(['n8n-nodes-base.set', true]);
	const pkg = await loadPackage();
	const host = new Workflow({ nodes: [{ id: 'h', name, type: `${P}customerProfile`, typeVersion: 1, position: [0, 0], parameters: { operation: 'get' } }], connections: {}, nodeTypes: pkg.nodeTypes, active: false });
	const out: IDataObject = { ...json };
	for (const a of (set.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments) {
		out[a.name] = (typeof a.value === 'string' ? host.expression.resolveSimpleParameterValue(a.value, {}, null as never, 0, 0, name, [{ json }], 'trigger', {}) : a.value) as IDataObject[string];
	}
	return out;
}

/** Whether `json` passes the template's Filter node `name` (its conditions: booleans "is true", joined by "and"). */
async function passes(wf: Template, name: string, json: IDataObject): Promise<boolean> {
	const filter = wf.nodes.find((n) => n.name === name)!;
	expect(filter.type).toBe('n8n-nodes-base.filter');
	const { conditions, combinator } = filter.parameters.conditions as { conditions: Array<{ leftValue: string; operator: { type: string; operation: string } }>; combinator: string };
	expect(combinator).toBe('and');
	const pkg = await loadPackage();
	const host = new Workflow({ nodes: [{ id: 'h', name, type: `${P}customerProfile`, typeVersion: 1, position: [0, 0], parameters: { operation: 'get' } }], connections: {}, nodeTypes: pkg.nodeTypes, active: false });
	return conditions.every((c) => {
		expect(c.operator).toMatchObject({ type: 'boolean', operation: 'true' });
		return host.expression.resolveSimpleParameterValue(c.leftValue, {}, null as never, 0, 0, name, [{ json }], 'trigger', {}) === true;
	});
}

/**
 * re-engagement-dates.json's morning choice for one exported profile: every Set node from Export
 * profiles to "Why contact them?", in the template's order (whichever the template has).
 */
async function whyContact(wf: Template, profile: IDataObject): Promise<IDataObject> {
	let json = profile;
	let name = wf.connections['Export profiles'].main[0]![0].node;
	for (;;) {
		json = await assigned(wf, name, json);
		if (name === 'Why contact them?') return json;
		name = wf.connections[name].main[0]![0].node;
	}
}

describe('templates: behaviour', () => {
	const received: ReceivedMail[] = [];
	let inbox: SmtpInbox;
	beforeAll(async () => {
		inbox = await startSmtpInbox({ into: received });
	});
	afterAll(async () => {
		await inbox.close();
		await closeAllStores();
	});
	beforeEach(() => {
		received.length = 0;
	});
	afterEach(() => jest.useRealTimers());

	const credentials = () => ({ personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, ignoreSslIssues: false } });

	/**
	 * Runs Render → Send once per day on one store (the sent keys are in its table: each run starts
	 * with empty workflow static data, which the templates' Send no longer uses).
	 */
	async function daily(file: string, render: string, days: string[], item: IDataObject) {
		const db = tempSqliteFile();
		const statuses: string[] = [];
		for (const day of days) {
			at(day);
			const result = await runWorkflow(mainPath(file, render, 'Send', db), { input: [{ json: item }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(result.error).toBeUndefined();
			statuses.push(...result.items('Send').map((i) => `${day.slice(0, 10)} ${String(i.json.status)}`));
			jest.useRealTimers();
		}
		return statuses;
	}

	describe('scheduled templates: at most once a month per customer', () => {
		it('nightly-rfm-vip.json: a Champion on three nights of March gets one VIP offer', async () => {
			const statuses = await daily('nightly-rfm-vip.json', 'Render VIP offer', ['2026-03-10T06:00:05Z', '2026-03-11T06:00:03Z', '2026-03-12T06:00:09Z'], {
				email: 'ada@example.com',
				segment: 'Champions',
				profile: { ordersCount: 5, traits: { first_name: 'Ada' } },
			});
			expect(statuses).toEqual(['2026-03-10 sent', '2026-03-11 duplicate', '2026-03-12 duplicate']);
			expect(received).toHaveLength(1);
		});

		it('nightly-rfm-vip.json: still a Champion on the first nights of the next month, no second offer within 30 days', async () => {
			const statuses = await daily('nightly-rfm-vip.json', 'Render VIP offer', ['2026-03-31T06:00:05Z', '2026-04-01T06:00:03Z', '2026-05-02T06:00:04Z'], {
				email: 'ada@example.com',
				segment: 'Champions',
				profile: { ordersCount: 5, traits: { first_name: 'Ada' } },
			});
			expect(statuses).toEqual(['2026-03-31 sent', '2026-04-01 duplicate', '2026-05-02 sent']);
		});

		/**
		 * RFC 5322 3.6.4 wants a Message-ID unique to one message, and Gmail keeps one message per
		 * mailbox and Message-ID. SMTP's Message-ID is `<idempotency key.run@sender domain>`; the
		 * keys have no month (`vip-offer:<address hash>`), so without the run's own part the May offer would
		 * carry the March offer's Message-ID.
		 */
		it('nightly-rfm-vip.json: the offer of May does not reuse the Message-ID of the offer of March', async () => {
			const statuses = await daily('nightly-rfm-vip.json', 'Render VIP offer', ['2026-03-31T06:00:05Z', '2026-05-02T06:00:04Z'], {
				email: 'ada@example.com',
				segment: 'Champions',
				profile: { ordersCount: 5, traits: { first_name: 'Ada' } },
			});
			expect(statuses).toEqual(['2026-03-31 sent', '2026-05-02 sent']);
			expect(received).toHaveLength(2);
			expect(received[1].mail.messageId).not.toBe(received[0].mail.messageId);
		});

		it('re-engagement-dates.json: a customer inactive 60+ days on three mornings, across a month end, gets one "we miss you"', async () => {
			const statuses = await daily('re-engagement-dates.json', 'Render win-back email', ['2026-03-30T13:00:02Z', '2026-03-31T13:00:04Z', '2026-04-01T13:00:03Z'], {
				email: 'ada@example.com',
				winback_reason: 'inactive_60',
				winback_headline: 'we miss you',
				profile: { traits: { first_name: 'Ada' } },
			});
			expect(statuses).toEqual(['2026-03-30 sent', '2026-03-31 duplicate', '2026-04-01 duplicate']);
			expect(received).toHaveLength(1);
		});
	});

	/**
	 * The event templates' keys name what is mailed once: `welcome:<address hash>` (one welcome per
	 * address) and `cart-recovery:<checkout_id>` (one email per checkout, as Shopify's own
	 * abandoned checkout email: one reminder per checkout). ESP Dispatch forgets a key after its
	 * Duplicate Window, 24 hours by default, so the same Signed Up event delivered again a day later
	 * (a re-sent Segment event, the same address signing up again) got a second welcome, and a
	 * checkout changed and left again the next day a second recovery email. The runs below are a
	 * day and more apart, on one store.
	 */
	describe('event templates: a key stays sent beyond a day', () => {
		it('ab-test-dynamic-vs-static.json: the same address signing up again a day, then half a year later gets no second welcome', async () => {
			const signUp = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-1', userId: 'u-ada', email: 'ada@example.com', traits: { first_name: 'Ada', interest: 'running shoes' }, properties: {} };
			const statuses = await daily('ab-test-dynamic-vs-static.json', 'Check suppression', ['2026-03-10T09:00:00Z', '2026-03-11T10:00:00Z', '2026-09-10T09:00:00Z'], signUp);
			expect(statuses).toEqual(['2026-03-10 sent', '2026-03-11 duplicate', '2026-09-10 duplicate']);
			expect(received).toHaveLength(1);
		});

		it('cart-abandonment-recovery.json: one checkout left again 25 hours and 20 days later gets one recovery email; after 30 days it may get another', async () => {
			const checkout = {
				type: 'track',
				event: 'Checkout Updated',
				messageId: 'c-1',
				userId: '7',
				email: 'ada@example.com',
				traits: { first_name: 'Ada' },
				profile: { traits: { first_name: 'Ada' } },
				properties: { checkout_id: 'ck-1', cart_id: 'cart-tok-1', currency: 'USD', total: 19.95, products: [{ name: 'Organic cotton t-shirt', quantity: 1, price: 19.95 }] },
			};
			const statuses = await daily('cart-abandonment-recovery.json', 'Render recovery email', ['2026-03-10T13:00:00Z', '2026-03-11T14:00:00Z', '2026-03-30T13:00:00Z', '2026-04-10T13:00:00Z'], checkout);
			expect(statuses).toEqual(['2026-03-10 sent', '2026-03-11 duplicate', '2026-03-30 duplicate', '2026-04-10 sent']);
			expect(received).toHaveLength(2);
		});
	});

	/**
	 * The keys travel in SMTP's Message-ID header (RFC 5322 3.6.4: `<key.run@domain>`) and in ESP
	 * Dispatch's output, so they name the recipient by the SHA-256 of the trimmed, lower-cased address,
	 * as the cart and re-engagement keys do: `vip-offer:<hash>`, `welcome:<hash>`, `browse:<hash>:<day>`
	 * (they held the address as given). The same address in another case is the same key. Runs on
	 * March 10 in New York, on one store.
	 */
	describe('keys by address hash, not the address', () => {
		// `printf %s ada@example.com | sha256sum`
		const ADA_SHA256 = 'b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72';
		const ada = { profile: { ordersCount: 5, traits: { first_name: 'Ada' } } };
		it.each([
			['nightly-rfm-vip.json', 'Render VIP offer', `vip-offer:${ADA_SHA256}`, { ...ada, segment: 'Champions' }],
			['ab-test-dynamic-vs-static.json', 'Check suppression', `welcome:${ADA_SHA256}`, { type: 'track', event: 'Signed Up', messageId: 'seg-signup-1', userId: 'u-ada', traits: { first_name: 'Ada' }, properties: {} }],
			['browse-abandonment.json', 'Render browse email', `browse:${ADA_SHA256}:2026-03-10`, { ...ada, userId: 'u-ada', properties: { name: 'scarf', url: 'https://shop.example.com/p/scarf' } }],
		] as const)('%s: the key holds the address hash; the same address in capitals, padded, is a duplicate; the Message-ID has no address', async (file, from, key, item) => {
			const emails = ['ada@example.com', ' Ada@Example.COM '];
			const db = tempSqliteFile();
			const sends: string[] = [];
			for (const email of emails) {
				at('2026-03-10T18:00:00Z');
				const result = await runWorkflow(mainPath(file, from, 'Send', db), { input: [{ json: { ...item, email } }], credentials: credentials(), staticData: {}, mode: 'trigger' });
				expect(result.error).toBeUndefined();
				sends.push(...result.items('Send').map((i) => `${String(i.json.idempotencyKey)} ${String(i.json.status)}`));
				jest.useRealTimers();
			}
			expect(sends).toEqual([`${key} sent`, `${key} duplicate`]);
			expect(received).toHaveLength(1);
			expect(String(received[0].mail.messageId).replace(/@[^@]*>$/, '')).not.toMatch(/example/i);
		});

		it('browse-abandonment.json: a logged-out view mailed at the profile\'s address is keyed by that address\'s hash', async () => {
			at('2026-03-10T18:00:00Z');
			const item = { userId: null, email: null, anonymousId: 'anon-ada', properties: { name: 'scarf' }, profile: { email: 'Ada@Example.com', traits: { first_name: 'Ada' } } };
			const result = await runWorkflow(mainPath('browse-abandonment.json', 'Render browse email', 'Send', tempSqliteFile()), { input: [{ json: item }], credentials: credentials(), mode: 'trigger' });
			expect(result.error).toBeUndefined();
			expect(result.items('Send').map((i) => [i.json.recipient, i.json.idempotencyKey, i.json.status])).toEqual([['Ada@Example.com', `browse:${ADA_SHA256}:2026-03-10`, 'sent']]);
		});
	});

	/**
	 * One marketing email per address per 16 hours across the templates (Klaviyo's Smart Sending
	 * default): the cart, browse, VIP and re-engagement templates each pass an "Apply frequency cap"
	 * (Customer Profile, Cap Category `marketing`, 1 per 16 h, Route to Two Outputs) right before
	 * Send, on the same store, so a customer the cart template mailed is not also mailed a browse
	 * email or a win-back the same day. A slot taken at t counts until t + 16 h: at exactly t + 16 h
	 * the next one is allowed. The cap's Key is Send's idempotency key, so a re-run of the cart
	 * execution is within the cap (and Send, not the cap, answers duplicate). Over Cap goes to the
	 * No Operation "Capped (mailed in the last 16 h)" (not loaded here: mainPath keeps Within Cap).
	 */
	describe('marketing templates: one email per address per 16 hours across templates (Apply frequency cap)', () => {
		const ada = { email: 'ada@example.com', profile: { ordersCount: 5, traits: { first_name: 'Ada' } } };
		const cart = { ...ada, type: 'track', event: 'Checkout Updated', messageId: 'c-1', userId: '7', properties: { checkout_id: 'ck-1', currency: 'USD', total: 19.95, products: [{ name: 'Organic cotton t-shirt', quantity: 1, price: 19.95 }] } };
		const browse = { ...ada, userId: 'u-ada', properties: { name: 'scarf', url: 'https://shop.example.com/p/scarf' } };
		const winback = { ...ada, winback_reason: 'inactive_60', winback_headline: 'we miss you' };
		const vip = { ...ada, segment: 'Champions' };

		it.each([
			['cart-abandonment-recovery.json', 'Render recovery email'],
			['browse-abandonment.json', 'Render browse email'],
			['nightly-rfm-vip.json', 'Render VIP offer'],
			['re-engagement-dates.json', 'Render win-back email'],
		] as const)('%s: "Apply frequency cap" sits right before Send (marketing, 1 per 16 h, keyed as Send), Over Cap to "Capped (mailed in the last 16 h)"', (file, render) => {
			const wf = template(file);
			const cap = wf.nodes.find((n) => n.name === 'Apply frequency cap')!;
			const send = wf.nodes.find((n) => n.name === 'Send')!;
			expect([cap.type, cap.parameters.operation, cap.parameters.capOutput, cap.parameters.capMax ?? 1, cap.parameters.capWindowHours ?? 16, cap.parameters.capCategory ?? 'marketing']).toEqual([`${P}customerProfile`, 'frequencyCap', 'route', 1, 16, 'marketing']);
			expect(cap.parameters.capKey).toBe((send.parameters.options as IDataObject).idempotencyKey);
			expect(wf.connections[render].main.map((o) => (o ?? []).map((c) => c.node))).toEqual([['Apply frequency cap']]);
			expect(wf.connections['Apply frequency cap'].main.map((o) => (o ?? []).map((c) => c.node))).toEqual([['Send'], ['Capped (mailed in the last 16 h)']]);
			// Send is reached only through the cap
			const into = Object.entries(wf.connections).filter(([, v]) => v.main.some((o) => (o ?? []).some((c) => c.node === 'Send'))).map(([from]) => from);
			expect(into).toEqual(['Apply frequency cap']);
			expect(wf.nodes.find((n) => n.name === 'Capped (mailed in the last 16 h)')!.type).toBe('n8n-nodes-base.noOp');
		});

		it('a customer mailed by the cart template gets no browse email nor win-back within 16 hours (another customer does), and a browse email at 16 hours', async () => {
			const db = tempSqliteFile();
			const run = async (when: string, file: string, render: string, items: IDataObject[]) => {
				at(when);
				try {
					const result = await runWorkflow(mainPath(file, render, 'Send', db), { input: items.map((json) => ({ json })), credentials: credentials(), staticData: {}, mode: 'trigger' });
					expect(result.error).toBeUndefined();
					const capped = result.nodes['Apply frequency cap']?.outputs[1] ?? [];
					return {
						sent: result.nodes.Send ? result.items('Send').map((i) => `${String(i.json.recipient)} ${String(i.json.status)}`) : [],
						capped: capped.map((i) => [i.json.email, (i.json.frequencyCap as IDataObject).nextAllowedAt]),
					};
				} finally {
					jest.useRealTimers();
				}
			};
			// 09:00 in New York: the cart email
			expect(await run('2026-03-10T13:00:00Z', 'cart-abandonment-recovery.json', 'Render recovery email', [cart])).toEqual({ sent: ['ada@example.com sent'], capped: [] });
			// the same cart execution run again an hour later: within the cap (same key), Send answers duplicate
			expect(await run('2026-03-10T14:00:00Z', 'cart-abandonment-recovery.json', 'Render recovery email', [cart])).toEqual({ sent: ['ada@example.com duplicate'], capped: [] });
			// two hours later a browse email: Ada is capped until 13:00 + 16 h = 05:00 UTC the next day; Bob is mailed
			expect(await run('2026-03-10T15:00:00Z', 'browse-abandonment.json', 'Render browse email', [browse, { ...browse, email: 'bob@example.com', userId: 'u-bob' }])).toEqual({
				sent: ['bob@example.com sent'],
				capped: [['ada@example.com', '2026-03-11T05:00:00.000Z']],
			});
			// a win-back one second before the 16 hours end: capped
			expect(await run('2026-03-11T04:59:59Z', 're-engagement-dates.json', 'Render win-back email', [winback])).toEqual({ sent: [], capped: [['ada@example.com', '2026-03-11T05:00:00.000Z']] });
			// at 16 hours the slot is free: the browse email goes out, and takes the slot until 21:00 UTC
			expect(await run('2026-03-11T05:00:00Z', 'browse-abandonment.json', 'Render browse email', [browse])).toEqual({ sent: ['ada@example.com sent'], capped: [] });
			expect(await run('2026-03-11T06:00:05Z', 'nightly-rfm-vip.json', 'Render VIP offer', [vip])).toEqual({ sent: [], capped: [['ada@example.com', '2026-03-11T21:00:00.000Z']] });
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com', 'ada@example.com']);
		});

		it('a VIP offer Send answers duplicate on later nights takes no slot: the customer\'s cart email two hours after such a night is mailed', async () => {
			const db = tempSqliteFile();
			const run = async (when: string, file: string, render: string, items: IDataObject[]) => {
				at(when);
				try {
					const result = await runWorkflow(mainPath(file, render, 'Send', db), { input: items.map((json) => ({ json })), credentials: credentials(), staticData: {}, mode: 'trigger' });
					expect(result.error).toBeUndefined();
					return {
						sent: result.nodes.Send ? result.items('Send').map((i) => `${String(i.json.recipient)} ${String(i.json.status)}`) : [],
						capped: (result.nodes['Apply frequency cap']?.outputs[1] ?? []).map((i) => i.json.email),
					};
				} finally {
					jest.useRealTimers();
				}
			};
			expect(await run('2026-03-10T06:00:05Z', 'nightly-rfm-vip.json', 'Render VIP offer', [vip])).toEqual({ sent: ['ada@example.com sent'], capped: [] });
			// the next night: the offer's key is remembered 30 days, Send answers duplicate, and the cap took no slot
			expect(await run('2026-03-11T06:00:05Z', 'nightly-rfm-vip.json', 'Render VIP offer', [vip])).toEqual({ sent: ['ada@example.com duplicate'], capped: [] });
			// two hours later Ada leaves a cart: mailed (before, that night's duplicate held the slot until 22:00 UTC)
			expect(await run('2026-03-11T08:00:00Z', 'cart-abandonment-recovery.json', 'Render recovery email', [cart])).toEqual({ sent: ['ada@example.com sent'], capped: [] });
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'ada@example.com']);
		});
	});

	describe('scheduled templates: the 30-day promise holds for more customers than the default memory', () => {
		/**
		 * The static-data memory keeps at most Max Remembered Keys (the node's default 20,000),
		 * dropping the oldest first. With a 30-day window every customer mailed in the last 30 days
		 * must stay remembered: a store with 20,001 Champions (or inactive customers) on the first
		 * night has 20,001 keys. The templates' Send now keeps its keys in the profile store's table,
		 * which only the window bounds. The table below holds the keys of such a first night, the
		 * customer tested mailed first (written as Send writes them: claimed, then confirmed with the
		 * template's 720-hour window); the next night that customer must be a duplicate, not mailed
		 * again.
		 */
		it.each([
			['nightly-rfm-vip.json', 'Render VIP offer', `vip-offer:${sha256('ada@example.com')}`, (k: number) => `vip-offer:${sha256(`user${k}@example.com`)}`, { segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Ada' } } }],
			['re-engagement-dates.json', 'Render win-back email', `reengage:${sha256('ada@example.com')}:inactive_90`, (k: number) => `reengage:${sha256(`user${k}@example.com`)}:inactive_90`, { winback_reason: 'inactive_90', winback_headline: 'it has been a while', profile: { traits: { first_name: 'Ada' } } }],
		] as const)('%s: night 2 of a 20,001-customer batch does not mail the first customer of night 1 again', async (file, render, key, other, data) => {
			const wf = mainPath(file, render, 'Send', tempSqliteFile());
			const send = wf.nodes.find((n) => n.name === 'Send')!;
			expect([send.parameters.sentKeyMemory, (send.parameters.options as IDataObject).duplicateWindowHours, (send.parameters.options as IDataObject).maxRememberedKeys]).toEqual(['profileStore', 720, undefined]);
			const night1 = Date.parse('2026-03-10T06:00:05Z');
			const table = sentKeyTable(openStore({ backend: 'sqlite', file: String(send.parameters.databaseFile), tablePrefix: 'pz_', retentionDays: 365, recentViews: 10, recentSearches: 10 }) as SqliteProfileStore, 'pz_');
			const first = new StoreSentKeys(table, 'workflow:test-workflow', 720 * 3600);
			await first.claim([key], night1);
			await first.confirm([key], night1);
			const others = Array.from({ length: 20_000 }, (_, n) => other(n));
			await first.claim(others, night1 + 1000);
			await first.confirm(others, night1 + 1000);
			await first.finish([]);
			at('2026-03-11T06:00:05Z');
			const result = await runWorkflow(wf, { input: [{ json: { ...data, email: 'ada@example.com' } }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(result.error).toBeUndefined();
			expect(result.items('Send').map((i) => i.json.status)).toEqual(['duplicate']);
			expect(received).toHaveLength(0);
		});
	});

	describe('scheduled templates: a test-mode ESP Dispatch node in the same workflow leaves the 30-day memory alone', () => {
		/**
		 * The duplicate memory is shared by every ESP Dispatch node of the workflow (the static data's
		 * field, or the store's table for the workflow). A node in Test Mode neither checks nor fills
		 * it (README), so it must not prune it either: with its own Duplicate Window (default 24 h) it
		 * dropped every key of the template's Send older than a day, and the next night mailed those
		 * Champions again. The Champion's offer is sent for real on night 1, on the same store.
		 */
		it('nightly-rfm-vip.json: after a test send from a second node with default options, a Champion mailed 2 days ago is still a duplicate', async () => {
			const item = { email: 'ada@example.com', segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Ada' } } };
			const wf = mainPath('nightly-rfm-vip.json', 'Render VIP offer', 'Send', tempSqliteFile());
			at('2026-03-10T06:00:05Z');
			const first = await runWorkflow(wf, { input: [{ json: item }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(first.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			jest.useRealTimers();
			at('2026-03-12T05:30:00Z');
			// the same path, its Send a second node in Test Mode with the node's default options otherwise
			const tester = { ...wf, nodes: wf.nodes.map((n) => (n.name === 'Send' ? { ...n, parameters: { ...n.parameters, options: { testAddress: 'qa@example.com' } } } : n)) };
			const test = await runWorkflow(tester, { input: [{ json: item }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(test.error).toBeUndefined();
			expect(test.items('Send').map((i) => [i.json.status, i.json.sentTo])).toEqual([['sent', 'qa@example.com']]);
			jest.useRealTimers();
			at('2026-03-12T06:00:04Z');
			const night = await runWorkflow(wf, { input: [{ json: item }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(night.error).toBeUndefined();
			expect(night.items('Send').map((i) => i.json.status)).toEqual(['duplicate']);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'qa@example.com']);
		});
	});

	describe('scheduled templates: another real ESP Dispatch node with a shorter window leaves the 30-day memory alone', () => {
		/**
		 * All ESP Dispatch nodes of a workflow share one memory. A second node sending for real with
		 * the default Duplicate Window (24 h) and bound used to prune the memory by its own window,
		 * dropping the template Send's 30-day keys older than a day. Each node now records its window
		 * and bound, and the memory is pruned by the widest of the nodes that ran within their window
		 * (in the store's table, each key is kept by the window of the node that sent it). Both nodes
		 * here use the template's store (one file), each run with empty static data.
		 */
		it('nightly-rfm-vip.json: after a 24-hour node sent someone else, a Champion mailed 2 days ago is still a duplicate', async () => {
			const ada = { email: 'ada@example.com', segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Ada' } } };
			const bob = { email: 'bob@example.com', segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Bob' } } };
			const wf = mainPath('nightly-rfm-vip.json', 'Render VIP offer', 'Send', tempSqliteFile());
			at('2026-03-10T06:00:05Z');
			const first = await runWorkflow(wf, { input: [{ json: ada }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(first.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			jest.useRealTimers();
			// the same path, its Send another node of the workflow (another id) with the default window and bound
			const daily = {
				...wf,
				nodes: wf.nodes.map((n) => (n.name === 'Send' ? { ...n, id: 'another-send-node', parameters: { ...n.parameters, options: { idempotencyKey: (n.parameters.options as IDataObject).idempotencyKey as string } } } : n)),
			};
			at('2026-03-12T05:30:00Z');
			const other = await runWorkflow(daily, { input: [{ json: bob }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(other.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			jest.useRealTimers();
			at('2026-03-12T06:00:04Z');
			const night = await runWorkflow(wf, { input: [{ json: ada }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(night.items('Send').map((i) => i.json.status)).toEqual(['duplicate']);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
		});
	});

	describe('scheduled templates: one bad recipient does not stop the batch', () => {
		it.each([
			['nightly-rfm-vip.json', 'Render VIP offer', { segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Ann' } } }],
			['re-engagement-dates.json', 'Render win-back email', { winback_reason: 'inactive_90', winback_headline: 'it has been a while', profile: { traits: { first_name: 'Ann' } } }],
		] as const)('%s: an address no provider takes goes to the error output, the others are mailed, the execution then fails', async (file, render, data) => {
			const items = ['ann@gmail', 'bob@example.com', 'cy@example.com'].map((email) => ({ json: { ...data, email } as IDataObject }));
			const result = await runWorkflow(mainPath(file, render, 'Send', tempSqliteFile()), { input: items, credentials: credentials(), mode: 'trigger' });
			expect(result.error).toBeUndefined();
			const [sent, refused] = result.nodes.Send.outputs;
			expect(sent.map((i) => [i.json.recipient, i.json.status])).toEqual([
				['bob@example.com', 'sent'],
				['cy@example.com', 'sent'],
			]);
			expect(refused.map((i) => [i.json.email, i.pairedItem])).toEqual([['ann@gmail', { item: 0 }]]);
			expect(String(refused[0].json.error)).toMatch(/ann@gmail.*not an email address/);
			expect(received.map((r) => r.to[0]).sort()).toEqual(['bob@example.com', 'cy@example.com']);
			// The template sends that output to a Stop and Error naming the refusal (run by the
			// end-to-end suite: n8n-nodes-base is not loaded here), which ends the execution failed.
			// (nightly: through "Failures, after the sends", a Merge that also takes the CRM's errors).
			const wf = template(file);
			const outputs = wf.connections.Send.main;
			expect(outputs[0] ?? []).toEqual([]);
			let stop = wf.nodes.find((n) => n.name === outputs[1]?.[0]?.node)!;
			if (stop.type === 'n8n-nodes-base.merge') stop = wf.nodes.find((n) => n.name === wf.connections[stop.name].main[0]?.[0]?.node)!;
			expect([stop.type, wf.connections[stop.name]]).toEqual(['n8n-nodes-base.stopAndError', undefined]);
			expect(stop.parameters.errorMessage).toContain('$json.error');
		});

		it('nightly-rfm-vip.json: a Champion without an email address (phone-only customer) is left out before Get profile, which would fail the whole run', async () => {
			const db = tempSqliteFile();
			const order = (id: string, days: number, who: IDataObject) => {
				const ts = new Date(Date.now() - days * 86_400_000).toISOString();
				return { json: { type: 'track', event: 'Order Completed', messageId: id, timestamp: ts, receivedAt: ts, ...who, properties: { order_id: id, total: 240, currency: 'USD' } } };
			};
			const orders = [1, 2, 3, 4, 5].flatMap((k) => [order(`ada-${k}`, k * 7, { userId: 'c-ada', email: 'ada@example.com' }), order(`phone-${k}`, k * 7, { userId: 'c-phone', email: null })]);
			const nightly = template('nightly-rfm-vip.json');
			const profileNode = (name: string) => ({ ...nightly.nodes.find((n) => n.name === name)!, parameters: { ...nightly.nodes.find((n) => n.name === name)!.parameters, databaseFile: db } });
			await runWorkflow({ nodes: [{ ...profileNode('Get profile'), name: 'Record', parameters: { operation: 'record', databaseFile: db } }], connections: {} }, { input: orders });
			const scored = await runWorkflow(mainPath('nightly-rfm-vip.json', 'Export transactions', 'RFM segments', db));
			const customers: IDataObject[] = scored.items('RFM segments').map((i) => ({ ...i.json, segment: 'Champions' }));
			expect(customers.map((c) => c.email ?? null).sort()).toEqual(['ada@example.com', null]);

			// "Champions only", evaluated by n8n's expression engine on each scored customer.
			const pkg = await loadPackage();
			const condition = (nightly.nodes.find((n) => n.name === 'Champions only')!.parameters.conditions as { conditions: Array<{ leftValue: string }> }).conditions[0].leftValue;
			const host = new Workflow({ nodes: [{ ...profileNode('Get profile'), name: 'Champions only' }], connections: {}, nodeTypes: pkg.nodeTypes, active: false });
			const passed = customers.filter((json) => host.expression.resolveSimpleParameterValue(condition, {}, null as never, 0, 0, 'Champions only', [{ json }], 'trigger', {}) === true);
			expect(passed.map((c) => c.email)).toEqual(['ada@example.com']);

			const got = await runWorkflow({ nodes: [profileNode('Get profile')], connections: {} }, { input: passed.map((json) => ({ json })) });
			expect(got.error).toBeUndefined();
			expect(got.items('Get profile').map((i) => (i.json.profile as IDataObject).email)).toEqual(['ada@example.com']);
		});
	});

	/**
	 * The profile's ordersCount adds one for every Order Completed event, so an order that Shopify's
	 * orders/create (cart template) and Segment's Order Completed (browse template) both report
	 * counts twice; RFM counts an order id once per customer (README, "Orders that arrive twice count
	 * once"). The VIP offer said "Thank you for your {{ profile.ordersCount }} orders" and gave VIP20
	 * from `profile.ordersCount` 3: a Champion with 2 real orders read "your 4 orders" and got VIP20.
	 * The offer now reads the RFM item's `frequency` (Get profile keeps the scored item's fields).
	 */
	describe('nightly-rfm-vip.json: orders reported by both Shopify and Segment count once in the offer', () => {
		it('3 real orders → "Thank you for your 3 orders" and VIP20; 2 real orders → VIP15, whatever the doubled profile count', async () => {
			const db = tempSqliteFile();
			const day = 86_400_000;
			const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
			const both = (email: string, customerId: number, orderId: number, days: number): IDataObject[] => {
				const shopify = { ...(shopifyOrder(email, ago(days), orderId, customerId) as unknown as IDataObject), receivedAt: ago(days) };
				// the storefront's analytics.js reporting the same order to Segment (its own messageId)
				const segment = { ...shopify, messageId: `ajs-${orderId}`, context: { source: 'segment', topic: 'track' } };
				return [shopify, segment];
			};
			const events = [...[1, 2, 3].flatMap((k) => both('ada@example.com', 701, 5000 + k, k * 5)), ...[1, 2].flatMap((k) => both('bob@example.com', 702, 6000 + k, k * 5))];
			const nightly = template('nightly-rfm-vip.json');
			const get = nightly.nodes.find((n) => n.name === 'Get profile')!;
			const recorded = await runWorkflow({ nodes: [{ ...get, name: 'Record', parameters: { operation: 'record', databaseFile: db } }], connections: {} }, { input: events.map((json) => ({ json })) });
			expect(recorded.items('Record').map((i) => (i.json.recorded as IDataObject).status)).toEqual(events.map(() => 'recorded'));

			const scored = await runWorkflow(mainPath('nightly-rfm-vip.json', 'Export transactions', 'RFM segments', db));
			expect(scored.error).toBeUndefined();
			const customers = scored.items('RFM segments').map((i) => i.json).sort((a, b) => String(a.email).localeCompare(String(b.email)));
			// RFM counts each order once, the profile twice
			expect(customers.map((c) => [c.email, c.frequency])).toEqual([
				['ada@example.com', 3],
				['bob@example.com', 2],
			]);
			// the nightly path from Get profile to Send ("Still subscribed?" passes these customers), both as Champions
			const result = await runWorkflow(mainPath('nightly-rfm-vip.json', 'Get profile', 'Send', db), {
				input: customers.map((c) => ({ json: { ...c, segment: 'Champions' } })),
				credentials: credentials(),
				mode: 'trigger',
			});
			expect(result.error).toBeUndefined();
			expect(result.items('Get profile').map((i) => (i.json.profile as IDataObject).ordersCount)).toEqual([6, 4]);
			expect(result.items('Send').map((i) => [i.json.recipient, i.json.status])).toEqual([
				['ada@example.com', 'sent'],
				['bob@example.com', 'sent'],
			]);
			const html = (to: string) => String(received.find((r) => r.to[0] === to)!.mail.html);
			expect(html('ada@example.com')).toContain('Thank you for your 3 orders.');
			expect(html('ada@example.com')).toContain('VIP20');
			expect(html('bob@example.com')).toContain('VIP15');
			expect(html('bob@example.com')).not.toContain('Thank you for your');
		});
	});

	/**
	 * The nightly template sends every scored customer to the CRM (HTTP Request, disabled until
	 * set up) and the Champions to the offer. With n8n's execution order v1 the branch higher on the
	 * canvas runs first, to its end, so the CRM request ran before any offer: a CRM that failed
	 * (down, wrong URL or key) failed the execution and nobody was mailed that night, nor any other
	 * night until the CRM was fixed. Now the CRM request continues on its error output, which meets
	 * Send's error output in a Merge; the Merge runs once the sends are done (n8n runs a node still
	 * waiting for an input when nothing else is left, when one input suffices: the Merge's
	 * `requiredInputs`), then the Stop and Error fails the execution with the first failure.
	 *
	 * Run here through the real n8n engine with the template's own connections, positions, options
	 * and expressions from "RFM segments" on; n8n-nodes-base is not loaded in this harness, so its
	 * nodes are stand-ins of the same name: HTTP Request returns each item as `{ error }` when it
	 * continues on fail (as HttpRequestV3 does) and throws otherwise; Filter keeps the items whose
	 * conditions (the template's expressions, resolved by n8n) are all true; Merge appends its inputs
	 * and declares Merge v3's `requiredInputs`; No Operation passes its items on; Stop and Error throws the template's message. The
	 * end-to-end suite runs the real nodes.
	 */
	describe('nightly-rfm-vip.json: a failing CRM request does not stop the offers', () => {
		const standIns = (crmFails: boolean): Record<string, INodeType> => {
			const base = (name: string, inputs: number, outputs: number, extra: Partial<INodeTypeDescription> = {}): INodeTypeDescription =>
				({ displayName: name, name, group: ['transform'], version: 1, description: name, defaults: { name }, inputs: Array(inputs).fill('main'), outputs: Array(outputs).fill('main'), properties: [], ...extra }) as INodeTypeDescription;
			return {
				'n8n-nodes-base.httpRequest': {
					description: base('httpRequest', 1, 1),
					async execute(this: IExecuteFunctions) {
						const items = this.getInputData();
						if (!crmFails) return [items.map((_, i) => ({ json: { ok: true }, pairedItem: { item: i } }))];
						const reason = { message: '503 - "CRM unavailable"', name: 'NodeApiError' };
						if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), reason.message);
						return [items.map((_, i) => ({ json: { error: reason }, pairedItem: { item: i } }))];
					},
				},
				'n8n-nodes-base.filter': {
					description: base('filter', 1, 1, { properties: [{ displayName: 'Conditions', name: 'conditions', type: 'filter', default: {} }] }),
					async execute(this: IExecuteFunctions) {
						return [this.getInputData().filter((_, i) => (this.getNodeParameter('conditions', i) as { conditions: Array<{ leftValue: unknown }> }).conditions.every((c) => c.leftValue === true))];
					},
				},
				'n8n-nodes-base.merge': {
					description: base('merge', 2, 1, { properties: [{ displayName: 'Mode', name: 'mode', type: 'string', default: 'append' }], requiredInputs: '={{ $parameter["mode"] === "chooseBranch" ? [0, 1] : 1 }}' }),
					async execute(this: IExecuteFunctions) {
						return [[...this.getInputData(0), ...this.getInputData(1)]];
					},
				},
				// No Operation (the frequency cap's Over Cap branch): passes its items on
				'n8n-nodes-base.noOp': {
					description: base('noOp', 1, 1),
					async execute(this: IExecuteFunctions) {
						return [this.getInputData()];
					},
				},
				'n8n-nodes-base.stopAndError': {
					description: base('stopAndError', 1, 0, { properties: [{ displayName: 'Error Message', name: 'errorMessage', type: 'string', default: '' }] }),
					async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
						throw new NodeOperationError(this.getNode(), String(this.getNodeParameter('errorMessage', 0)));
					},
				},
			};
		};

		/** The template from "RFM segments" (here a pass-through of the scored customers) on, the CRM request enabled. */
		function fromScoring(wf: Template, databaseFile: string): WorkflowJson {
			const keep = new Set<string>(['RFM segments']);
			for (let grew = true; grew; ) {
				grew = false;
				for (const from of [...keep]) for (const out of wf.connections[from]?.main ?? []) for (const c of out ?? []) if (!keep.has(c.node)) grew = keep.add(c.node).size > 0;
			}
			const nodes = wf.nodes
				.filter((n) => keep.has(n.name))
				.map((n) => {
					if (n.name === 'RFM segments') return { ...n, type: 'n8n-nodes-base.merge', parameters: { mode: 'append' } };
					if (n.type.startsWith(P)) return onStoreFile({ ...n, disabled: false }, databaseFile);
					return { ...n, disabled: false };
				});
			const connections = Object.fromEntries(Object.entries(wf.connections).filter(([from]) => keep.has(from))) as IConnections;
			return { nodes, connections };
		}

		async function night(file: Template, crmFails: boolean, emails: string[]) {
			const pkg = await loadPackage();
			const types: INodeTypes = pkg.nodeTypes;
			const { getByName, getByNameAndVersion } = types;
			const stand = standIns(crmFails);
			types.getByName = (name) => stand[name] ?? getByName.call(types, name);
			types.getByNameAndVersion = (name, version) => stand[name] ?? getByNameAndVersion.call(types, name, version);
			try {
				const customers = emails.map((email) => ({ json: { customer_id: `c-${email}`, email, segment: 'Champions', ordersCount: 5 } as IDataObject }));
				return await runWorkflow(fromScoring(file, tempSqliteFile()), { input: customers, credentials: credentials(), mode: 'trigger' });
			} finally {
				types.getByName = getByName;
				types.getByNameAndVersion = getByNameAndVersion;
			}
		}

		it('the CRM answers 503: every Champion is mailed, then the execution fails naming the CRM error', async () => {
			const result = await night(template('nightly-rfm-vip.json'), true, ['ada@example.com', 'bob@example.com']);
			expect(received.map((r) => r.to[0]).sort()).toEqual(['ada@example.com', 'bob@example.com']);
			expect(result.items('Send').map((i) => i.json.status)).toEqual(['sent', 'sent']);
			expect(result.error?.message).toContain('CRM unavailable');
			const order = result.executionOrder;
			// the CRM update waits for the offers (it sits below them on the canvas): a slow CRM does not delay them
			expect(order.indexOf('Update CRM (placeholder)')).toBeGreaterThan(order.indexOf('Send'));
			expect(order.slice(-2)).toEqual(['Failures, after the sends', 'Fail on refused recipient or CRM error']);
		});

		it('the CRM answers 503 and one address is refused: the others are mailed, the execution fails once, after the sends', async () => {
			const result = await night(template('nightly-rfm-vip.json'), true, ['ann@gmail', 'bob@example.com']);
			expect(received.map((r) => r.to[0])).toEqual(['bob@example.com']);
			// the CRM's two failed requests (n8n keeps each customer's fields beside the error), then the refused address
			expect(result.nodes['Failures, after the sends'].outputs[0].map((i) => [i.json.email, typeof i.json.error])).toEqual([
				['ann@gmail', 'object'],
				['bob@example.com', 'object'],
				['ann@gmail', 'string'],
			]);
			expect(result.error?.message).toContain('CRM unavailable');
			expect(result.nodes['Fail on refused recipient or CRM error'].runs).toBe(1);
		});

		it('the CRM answers: the offers go out and the execution succeeds', async () => {
			const result = await night(template('nightly-rfm-vip.json'), false, ['ada@example.com']);
			expect(result.error).toBeUndefined();
			expect(result.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			expect(result.nodes['Failures, after the sends']).toBeUndefined();
		});
	});

	/**
	 * The reviewer's findings on the static-data memory (n8n 2.41): a waiting execution resumes with
	 * the workflow static data of its start (wait-tracker's startExecution reuses the execution's
	 * `workflowData`) and n8n saves that whole copy at its end (`saveStaticDataById`), so with steady
	 * traffic an execution resuming after "Wait 1 hour" erased the key of every checkout another
	 * execution mailed during its wait; and n8n saves no static data after a manual execution
	 * (`if (!isManualMode …) saveStaticDataById`), so "Execute workflow" on a scheduled template mailed
	 * the customers and the next scheduled run mailed them again. The templates' Send nodes now keep
	 * their keys in the profile store. Below, `stored` is the static data n8n keeps for the workflow:
	 * an execution starts with a copy of it and n8n replaces it with the copy a production execution
	 * ends with (the harness's `savedStaticData`, undefined when nothing changed).
	 */
	describe('sent keys shared by every execution: a resumed or manual execution loses none', () => {
		/** A plain copy (n8n hands the static data over as its observable object). */
		const copyOf = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

		it('cart-abandonment-recovery.json: checkout B\'s execution, started before checkout X was mailed, resumes and ends; X changed and left again 2 days later gets no second email', async () => {
			const db = tempSqliteFile();
			const checkout = (id: string, event: string, checkoutId: string, ts: string, who: { userId: string; email: string; first_name: string }) => ({
				type: 'track',
				event,
				messageId: id,
				timestamp: ts,
				receivedAt: ts,
				userId: who.userId,
				email: who.email,
				traits: { first_name: who.first_name },
				properties: { checkout_id: checkoutId, currency: 'USD', total: 19.95, products: [{ name: 'Organic cotton t-shirt', quantity: 1, price: 19.95 }] },
			});
			const ada = { userId: '7', email: 'ada@example.com', first_name: 'Ada' };
			const bob = { userId: '8', email: 'bob@example.com', first_name: 'Bob' };
			const record = async (when: string, events: IDataObject[]) => {
				at(when);
				const recorded = await runWorkflow(mainPath('cart-abandonment-recovery.json', 'Record event', 'Record event', db), { input: events.map((json) => ({ json })), mode: 'webhook' });
				expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(events.map(() => 'recorded'));
				jest.useRealTimers();
			};
			// one execution's part after "Wait 1 hour", at `when`, with the static data it started with
			const afterWait = async (when: string, event: IDataObject, startedWith: IDataObject) => {
				at(when);
				const run = await runWorkflow(mainPath('cart-abandonment-recovery.json', 'Wait 1 hour', 'Send', db), { input: [{ json: event }], credentials: credentials(), staticData: startedWith, mode: 'webhook' });
				jest.useRealTimers();
				expect(run.error).toBeUndefined();
				return run;
			};
			let stored: IDataObject = {};
			const x1 = checkout('x-1', 'Checkout Started', 'ck-X', '2026-03-10T13:50:00.000Z', ada);
			const b1 = checkout('b-1', 'Checkout Started', 'ck-B', '2026-03-10T14:10:00.000Z', bob);
			await record('2026-03-10T13:50:01Z', [x1]);
			const xStartedWith = copyOf(stored);
			await record('2026-03-10T14:10:01Z', [b1]);
			// B's execution starts now and waits: it holds the static data of this moment, before X is mailed
			const bStartedWith = copyOf(stored);
			const a = await afterWait('2026-03-10T14:50:02Z', x1, xStartedWith);
			expect(a.items('Send').map((i) => [i.json.idempotencyKey, i.json.status])).toEqual([['cart-recovery:ck-X', 'sent']]);
			if (a.savedStaticData) stored = a.savedStaticData;
			const b = await afterWait('2026-03-10T15:10:02Z', b1, bStartedWith);
			expect(b.items('Send').map((i) => [i.json.idempotencyKey, i.json.status])).toEqual([['cart-recovery:ck-B', 'sent']]);
			if (b.savedStaticData) stored = b.savedStaticData;
			// two days later Ada changes checkout X and leaves again: a new execution, from what n8n stored
			const x2 = checkout('x-2', 'Checkout Updated', 'ck-X', '2026-03-12T16:00:00.000Z', ada);
			await record('2026-03-12T16:00:01Z', [x2]);
			const again = await afterWait('2026-03-12T17:00:02Z', x2, copyOf(stored));
			expect(again.items('Send').map((i) => [i.json.idempotencyKey, i.json.status])).toEqual([['cart-recovery:ck-X', 'duplicate']]);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
		});

		it('browse-abandonment.json: Bob\'s execution, started before Ada was mailed, resumes and ends; Ada browsing again that afternoon gets no second email that day', async () => {
			const db = tempSqliteFile();
			const view = (id: string, ts: string, who: { userId: string; email: string; first_name: string }, name: string) => ({
				type: 'track',
				event: 'Product Viewed',
				messageId: id,
				timestamp: ts,
				receivedAt: ts,
				userId: who.userId,
				email: who.email,
				traits: { email: who.email, first_name: who.first_name },
				properties: { product_id: name, name, price: 29, currency: 'USD', url: `https://shop.example.com/p/${name}` },
			});
			const ada = { userId: 'u-ada', email: 'ada@example.com', first_name: 'Ada' };
			const bob = { userId: 'u-bob', email: 'bob@example.com', first_name: 'Bob' };
			const record = async (when: string, event: IDataObject) => {
				at(when);
				const recorded = await runWorkflow(mainPath('browse-abandonment.json', 'Record event', 'Record event', db), { input: [{ json: event }], mode: 'webhook' });
				expect((recorded.items('Record event')[0].json.recorded as IDataObject).status).toBe('recorded');
				jest.useRealTimers();
			};
			const afterWait = async (when: string, event: IDataObject, startedWith: IDataObject) => {
				at(when);
				const run = await runWorkflow(mainPath('browse-abandonment.json', 'Wait 2 hours', 'Send', db), { input: [{ json: event }], credentials: credentials(), staticData: startedWith, mode: 'webhook' });
				jest.useRealTimers();
				expect(run.error).toBeUndefined();
				return run.items('Send').map((i) => `${String(i.json.recipient)} ${String(i.json.status)}`);
			};
			// March 10 in New York (EDT): Ada views at 10:00, Bob at 10:30; each execution waits 2 hours
			let stored: IDataObject = {};
			const a1 = view('v-a1', '2026-03-10T14:00:00.000Z', ada, 'scarf');
			const b1 = view('v-b1', '2026-03-10T14:30:00.000Z', bob, 'sweater');
			await record('2026-03-10T14:00:01Z', a1);
			const aStartedWith = copyOf(stored);
			await record('2026-03-10T14:30:01Z', b1);
			const bStartedWith = copyOf(stored);
			at('2026-03-10T16:00:02Z');
			const a = await runWorkflow(mainPath('browse-abandonment.json', 'Wait 2 hours', 'Send', db), { input: [{ json: a1 }], credentials: credentials(), staticData: aStartedWith, mode: 'webhook' });
			jest.useRealTimers();
			expect(a.items('Send').map((i) => `${String(i.json.recipient)} ${String(i.json.status)}`)).toEqual(['ada@example.com sent']);
			if (a.savedStaticData) stored = a.savedStaticData;
			at('2026-03-10T16:30:02Z');
			const b = await runWorkflow(mainPath('browse-abandonment.json', 'Wait 2 hours', 'Send', db), { input: [{ json: b1 }], credentials: credentials(), staticData: bStartedWith, mode: 'webhook' });
			jest.useRealTimers();
			expect(b.items('Send').map((i) => `${String(i.json.recipient)} ${String(i.json.status)}`)).toEqual(['bob@example.com sent']);
			if (b.savedStaticData) stored = b.savedStaticData;
			// Ada browses again at 15:00; her execution resumes at 17:00 with what n8n stored
			const a2 = view('v-a2', '2026-03-10T19:00:00.000Z', ada, 'gloves');
			await record('2026-03-10T19:00:01Z', a2);
			expect(await afterWait('2026-03-10T21:00:02Z', a2, copyOf(stored))).toEqual(['ada@example.com duplicate']);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
		});

		it.each([
			['nightly-rfm-vip.json', 'Render VIP offer', { segment: 'Champions', profile: { ordersCount: 5, traits: { first_name: 'Ada' } } }],
			['re-engagement-dates.json', 'Render win-back email', { winback_reason: 'inactive_90', winback_headline: 'it has been a while', profile: { traits: { first_name: 'Ada' } } }],
		] as const)('%s: "Execute workflow" (manual mode) mails two customers; the scheduled run that night mails only the third', async (file, render, data) => {
			const db = tempSqliteFile();
			const wf = mainPath(file, render, 'Send', db);
			const people = (emails: string[]) => emails.map((email) => ({ json: { ...data, email } as IDataObject }));
			const stored: IDataObject = {};
			at('2026-03-10T15:00:00Z');
			const manual = await runWorkflow(wf, { input: people(['ada@example.com', 'bob@example.com']), credentials: credentials(), staticData: copyOf(stored), mode: 'manual' });
			jest.useRealTimers();
			expect(manual.error).toBeUndefined();
			expect(manual.items('Send').map((i) => i.json.status)).toEqual(['sent', 'sent']);
			// n8n keeps no static data of a manual execution: `stored` stays as it was
			at('2026-03-11T06:00:05Z');
			const night = await runWorkflow(wf, { input: people(['ada@example.com', 'bob@example.com', 'cy@example.com']), credentials: credentials(), staticData: copyOf(stored), mode: 'trigger' });
			expect(night.error).toBeUndefined();
			expect(night.items('Send').map((i) => [i.json.recipient, i.json.status])).toEqual([
				['ada@example.com', 'duplicate'],
				['bob@example.com', 'duplicate'],
				['cy@example.com', 'sent'],
			]);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
		});
	});

	describe('event templates: two events within the wait give one email', () => {
		/**
		 * Records the events, then runs the template's path after the wait once per event, every
		 * run on the same store, with the static data both executions started with (empty). The path
		 * starts after `wait` (n8n-nodes-base, not run here: the events are dated past the wait).
		 */
		async function afterWait(file: string, record: string, wait: string, events: IDataObject[]) {
			const db = tempSqliteFile();
			const recorded = await runWorkflow(mainPath(file, record, record, db), { input: events.map((json) => ({ json })) });
			expect(recorded.items(record).map((i) => (i.json.recorded as IDataObject).status)).toEqual(events.map(() => 'recorded'));
			const sends: string[] = [];
			for (const event of events) {
				const run = await runWorkflow(mainPath(file, wait, 'Send', db), { input: [{ json: event } as INodeExecutionData], credentials: credentials(), staticData: {}, mode: 'trigger' });
				expect(run.error).toBeUndefined();
				sends.push(...(run.nodes.Send?.outputs[0] ?? []).map((i) => `${String(event.messageId)} ${String(i.json.status)}`));
			}
			return sends;
		}

		const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

		it('browse-abandonment.json: two product views within the wait → one email, for the later view', async () => {
			const person = { userId: 'u-ada', email: 'ada@example.com', traits: { email: 'ada@example.com', first_name: 'Ada' } };
			const view = (id: string, minutes: number, name: string) => ({
				type: 'track',
				event: 'Product Viewed',
				messageId: id,
				timestamp: ago(minutes),
				receivedAt: ago(minutes),
				...person,
				properties: { product_id: name, name, price: 89, currency: 'USD', url: `https://shop.example.com/p/${name}` },
			});
			const sends = await afterWait('browse-abandonment.json', 'Record event', 'Wait 2 hours', [view('v-1', 130, 'sweater'), view('v-2', 125, 'scarf')]);
			expect(sends).toEqual(['v-2 sent']);
			expect(received.map((r) => r.mail.subject)).toEqual(['scarf is still here']);
		});

		it('cart-abandonment-recovery.json: Checkout Started twice for one cart, then Checkout Updated → one recovery email, for the latest cart', async () => {
			const person = { userId: '7', email: 'ada@example.com', anonymousId: 'cart-tok-1', traits: { first_name: 'Ada' } };
			const checkout = (id: string, event: string, minutes: number, quantity: number) => ({
				type: 'track',
				event,
				messageId: id,
				timestamp: ago(minutes),
				receivedAt: ago(minutes),
				...person,
				properties: { checkout_id: 'ck-1', cart_id: 'cart-tok-1', currency: 'USD', total: 19.95 * quantity, products: [{ name: 'Organic cotton t-shirt', quantity, price: 19.95 }] },
			});
			const sends = await afterWait('cart-abandonment-recovery.json', 'Record event', 'Wait 1 hour', [
				checkout('c-1', 'Checkout Started', 70, 1),
				checkout('c-2', 'Checkout Started', 69, 1),
				checkout('c-3', 'Checkout Updated', 65, 2),
			]);
			expect(sends).toEqual(['c-3 sent']);
			expect(received).toHaveLength(1);
			expect(received[0].mail.html).toContain('$39.90');
		});

		/**
		 * Segment, RudderStack and Shopify give times to the second or the millisecond, and a site's
		 * events are delivered in batches and retried, so a cart add or an order can carry the second of
		 * the view it follows and arrive before it. "Added to cart since?" and "Bought since?" counted
		 * only what was received after the view at that second ("Events at the Same Time" default), so
		 * such a visitor got a "still thinking about it?" email for what they had just bought; they now
		 * count every event at that second. "Viewed again since?" keeps the default: of two views at the
		 * same second, exactly one must be the last and mail.
		 */
		it.each([
			['Product Added', 'before'],
			['Product Added', 'after'],
			['Order Completed', 'before'],
			['Order Completed', 'after'],
		] as const)('browse-abandonment.json: a %s event at the second of the product view, received %s it → no browse email', async (event, order) => {
			const person = { userId: 'u-cleo', email: 'cleo@example.com', traits: { email: 'cleo@example.com', first_name: 'Cleo' } };
			const second = new Date(Math.floor((Date.now() - 130 * 60_000) / 1000) * 1000).toISOString();
			const receipt = (ms: number) => new Date(Date.parse(second) + ms).toISOString();
			const [viewAt, otherAt] = order === 'before' ? [receipt(900), receipt(200)] : [receipt(200), receipt(900)];
			const product = { product_id: 'scarf', name: 'scarf', price: 29, currency: 'USD', url: 'https://shop.example.com/p/scarf' };
			const view = { type: 'track', event: 'Product Viewed', messageId: 'v-same', timestamp: second, receivedAt: viewAt, ...person, properties: product };
			const other = { type: 'track', event, messageId: 'x-same', timestamp: second, receivedAt: otherAt, ...person, properties: event === 'Order Completed' ? { order_id: 'A-7', total: 29, currency: 'USD', products: [product] } : { ...product, quantity: 1 } };
			const db = tempSqliteFile();
			const recorded = await runWorkflow(mainPath('browse-abandonment.json', 'Record event', 'Record event', db), { input: [view, other].map((json) => ({ json })) });
			expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded']);
			const run = await runWorkflow(mainPath('browse-abandonment.json', 'Wait 2 hours', 'Send', db), { input: [{ json: view }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(run.error).toBeUndefined();
			expect(run.nodes.Send?.outputs[0] ?? []).toEqual([]);
			expect(received).toHaveLength(0);
		});

		it('browse-abandonment.json: two product views at the same second → one email, for the one received last', async () => {
			const person = { userId: 'u-dora', email: 'dora@example.com', traits: { email: 'dora@example.com', first_name: 'Dora' } };
			const second = new Date(Math.floor((Date.now() - 130 * 60_000) / 1000) * 1000).toISOString();
			const view = (id: string, ms: number, name: string) => ({
				type: 'track',
				event: 'Product Viewed',
				messageId: id,
				timestamp: second,
				receivedAt: new Date(Date.parse(second) + ms).toISOString(),
				...person,
				properties: { product_id: name, name, price: 29, currency: 'USD', url: `https://shop.example.com/p/${name}` },
			});
			const sends = await afterWait('browse-abandonment.json', 'Record event', 'Wait 2 hours', [view('v-s1', 300, 'sweater'), view('v-s2', 100, 'scarf')]);
			expect(sends).toEqual(['v-s1 sent']);
			expect(received.map((r) => r.mail.subject)).toEqual(['sweater is still here']);
		});

		it('cart-abandonment-recovery.json: an order in the same second as the checkout, received before it (express checkout) → no recovery email', async () => {
			const person = { userId: '8', email: 'bea@example.com', traits: { first_name: 'Bea' } };
			const second = new Date(Math.floor((Date.now() - 70 * 60_000) / 1000) * 1000).toISOString();
			const received0 = new Date(Date.parse(second) + 200).toISOString();
			const received1 = new Date(Date.parse(second) + 900).toISOString();
			const order = { type: 'track', event: 'Order Completed', messageId: 'o-1', timestamp: second, receivedAt: received0, ...person, properties: { order_id: 'A-1', checkout_id: 'ck-2', currency: 'USD', total: 19.95 } };
			const checkout = { type: 'track', event: 'Checkout Started', messageId: 'c-9', timestamp: second, receivedAt: received1, ...person, properties: { checkout_id: 'ck-2', currency: 'USD', total: 19.95, products: [{ name: 'Organic cotton t-shirt', quantity: 1, price: 19.95 }] } };
			const db = tempSqliteFile();
			const recorded = await runWorkflow(mainPath('cart-abandonment-recovery.json', 'Record event', 'Record event', db), { input: [order, checkout].map((json) => ({ json })) });
			expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded']);
			const run = await runWorkflow(mainPath('cart-abandonment-recovery.json', 'Wait 1 hour', 'Send', db), { input: [{ json: checkout }], credentials: credentials(), staticData: {}, mode: 'trigger' });
			expect(run.error).toBeUndefined();
			expect(run.nodes.Send?.outputs[0] ?? []).toEqual([]);
			expect(received).toHaveLength(0);
		});
	});
	/**
	 * browse-abandonment.json mails "at most one per customer per day" and mails a visitor known only
	 * through the profile (a logged-out view: Segment sends the anonymousId alone, and Get Profile
	 * finds the customer an Identify linked to it) at the profile's address. ESP Dispatch's duplicate
	 * memory is one set of keys for every recipient of the node, so a key made of the event's
	 * `userId || email` was `browse::<day>` for every such view: the first of them that day was
	 * mailed, every other customer's was a "duplicate" and got nothing.
	 */
	describe('browse-abandonment.json: logged-out views of two known customers on one day', () => {
		it('each customer gets an email; the same customer a second time that day does not', async () => {
			at('2026-03-10T18:00:00Z'); // 14:00 in New York: every run below is on March 10
			const db = tempSqliteFile();
			const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
			const identify = (who: string, minutes: number) => ({ type: 'identify', event: 'Identify', messageId: `id-${who}`, timestamp: ago(minutes), receivedAt: ago(minutes), userId: `u-${who}`, anonymousId: `anon-${who}`, email: `${who}@example.com`, traits: { email: `${who}@example.com`, first_name: who } });
			const view = (id: string, who: string, minutes: number) => ({
				type: 'track',
				event: 'Product Viewed',
				messageId: id,
				timestamp: ago(minutes),
				receivedAt: ago(minutes),
				userId: null,
				email: null,
				anonymousId: `anon-${who}`,
				properties: { product_id: 'scarf', name: 'scarf', price: 29, currency: 'USD', url: 'https://shop.example.com/p/scarf' },
			});
			const record = async (events: IDataObject[]) => {
				const recorded = await runWorkflow(mainPath('browse-abandonment.json', 'Record event', 'Record event', db), { input: events.map((json) => ({ json })) });
				expect(recorded.items('Record event').map((i) => (i.json.recorded as IDataObject).status)).toEqual(events.map(() => 'recorded'));
			};
			// one execution per view, on one store (the sent keys are in its table)
			const sends: string[] = [];
			const run = async (event: IDataObject, from: string) => {
				const result = await runWorkflow(mainPath('browse-abandonment.json', from, 'Send', db), { input: [{ json: event }], credentials: credentials(), staticData: {}, mode: 'trigger' });
				expect(result.error).toBeUndefined();
				sends.push(...(result.nodes.Send?.outputs[0] ?? []).map((i) => `${String(event.messageId)} ${String(i.json.recipient)} ${String(i.json.status)}`));
			};
			await record([identify('ada', 300), identify('bob', 300), view('v-ada', 'ada', 130), view('v-bob', 'bob', 128)]);
			await run(view('v-ada', 'ada', 130), 'Wait 2 hours');
			await run(view('v-bob', 'bob', 128), 'Wait 2 hours');
			// Ada views another product later that day (run from Get profile on: the "since?" checks pass)
			await record([view('v-ada-2', 'ada', 1)]);
			await run(view('v-ada-2', 'ada', 1), 'Get profile');
			expect(sends).toEqual(['v-ada ada@example.com sent', 'v-bob bob@example.com sent', 'v-ada-2 ada@example.com duplicate']);
			expect(received.map((r) => r.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
		});
	});

	/**
	 * re-engagement-dates.json picks the first-purchase anniversary every year (the first order's
	 * month and day, more than 300 days ago), so its block must be true every year: it said "One year
	 * ago today" to a customer whose first order was two or five years ago. The Set nodes ("Why
	 * contact them?", "Headline") are n8n-nodes-base, not loaded here: their assignments are
	 * evaluated by n8n's expression engine on the exported profile, at 9:00 in New York (n8n's
	 * default time zone), then Render → Send run through the engine.
	 */
	describe('re-engagement-dates.json: the anniversary email counts the years', () => {
		it.each([
			['2025-03-10T15:00:00.000Z', 'One year ago today you placed your first order with us.'],
			['2024-03-10T15:00:00.000Z', '2 years ago today you placed your first order with us.'],
			['2021-03-10T15:00:00.000Z', '5 years ago today you placed your first order with us.'],
		])('a first order on %s, read on 2026-03-10 → "%s"', async (firstOrderAt, text) => {
			at('2026-03-10T13:00:02Z');
			const wf = template('re-engagement-dates.json');
			const exported: IDataObject = { email: 'ada@example.com', firstOrderAt, lastOrderAt: '2026-02-20T10:00:00.000Z', lastActiveAt: '2026-03-01T10:00:00.000Z', traits: { first_name: 'Ada' } };
			const reason = await whyContact(wf, exported);
			expect(reason.winback_reason).toBe('anniversary');
			const item = await assigned(wf, 'Headline', reason);
			const result = await runWorkflow(mainPath('re-engagement-dates.json', 'Render win-back email', 'Send', tempSqliteFile()), { input: [{ json: { ...item, profile: { ...exported } } }], credentials: credentials(), mode: 'trigger' });
			expect(result.error).toBeUndefined();
			expect(result.items('Send').map((i) => i.json.status)).toEqual(['sent']);
			expect(received[0].mail.subject).toBe('Ada, happy anniversary');
			expect(received[0].mail.html).toContain(text);
		});
	});

	// The profile store is shared by all workflows and Record's duplicate check is by messageId across
	// the store. Segment gives every destination the same messageId, and browse-abandonment records
	// every site event (Record is before its filter): an A/B filter that required recorded.status
	// 'recorded' (tried, to stop a re-delivery that passed the trigger's memory) dropped the welcome
	// email whenever the browse template recorded the sign-up first. The filters do not read it.
	describe('event templates sharing one store and one Segment stream', () => {
		it('ab-test-dynamic-vs-static.json: a sign-up the browse template recorded first still passes "Is a sign-up?"', async () => {
			const db = tempSqliteFile();
			const ts = new Date(Date.now() - 60_000).toISOString();
			const json: IDataObject = { type: 'track', event: 'Signed Up', messageId: 'seg-signup-1', timestamp: ts, receivedAt: ts, userId: 'u-1', email: 'ada@example.com', properties: {} };
			const browse = await runWorkflow(mainPath('browse-abandonment.json', 'Record event', 'Record event', db), { input: [{ json }] });
			expect((browse.items('Record event')[0].json.recorded as IDataObject).status).toBe('recorded');
			const ab = await runWorkflow(mainPath('ab-test-dynamic-vs-static.json', 'Record event', 'Record event', db), { input: [{ json }] });
			const output = ab.items('Record event')[0].json;
			const wf = template('ab-test-dynamic-vs-static.json');
			const pkg = await loadPackage();
			const filter = 'Is a sign-up?';
			const condition = (wf.nodes.find((n) => n.name === filter)!.parameters.conditions as { conditions: Array<{ leftValue: string }> }).conditions[0].leftValue;
			const host = new Workflow({ nodes: [{ ...wf.nodes.find((n) => n.name === 'Record event')!, name: filter }], connections: {}, nodeTypes: pkg.nodeTypes, active: false });
			expect(host.expression.resolveSimpleParameterValue(condition, {}, null as never, 0, 0, filter, [{ json: output }], 'trigger', {})).toBe(true);
		});
	});

	/**
	 * The cart key named the checkout by `properties.checkout_id` alone. Shopify and Stripe send one;
	 * Segment's Checkout Started carries `order_id` (a site may add `cart_id`), so every checkout of
	 * such a source had the key `cart-recovery:` and, with the 30-day window, the first recovery
	 * email of the month was the only one, for every customer. The key now takes checkout_id, else
	 * cart_id, else order_id; an event with none is keyed by address and day. Each run below is one
	 * execution (Render → Send), all on one store.
	 */
	describe('cart-abandonment-recovery.json: the recovery key for checkouts without a checkout_id', () => {
		async function runs(list: Array<[string, IDataObject]>) {
			const db = tempSqliteFile();
			const out: string[] = [];
			for (const [when, event] of list) {
				at(when);
				const item = { type: 'track', event: 'Checkout Started', email: 'ada@example.com', profile: { traits: { first_name: 'Ada' } }, ...event, properties: { currency: 'USD', total: 19.95, ...(event.properties as IDataObject) } };
				const result = await runWorkflow(mainPath('cart-abandonment-recovery.json', 'Render recovery email', 'Send', db), { input: [{ json: item }], credentials: credentials(), staticData: {}, mode: 'trigger' });
				expect(result.error).toBeUndefined();
				out.push(...result.items('Send').map((i) => `${when.slice(0, 10)} ${String(i.json.recipient)} ${String(i.json.idempotencyKey)} ${String(i.json.status)}`));
				jest.useRealTimers();
			}
			return out;
		}

		it('Segment-style checkouts with order_id (or cart_id) only: each checkout gets its email, the same one a second time does not', async () => {
			const sends = await runs([
				['2026-03-10T14:00:00Z', { properties: { order_id: 'o-1' } }],
				['2026-03-10T15:00:00Z', { email: 'bob@example.com', properties: { order_id: 'o-2' } }],
				['2026-03-12T14:00:00Z', { properties: { order_id: 'o-3' } }],
				['2026-03-13T14:00:00Z', { properties: { order_id: 'o-3' } }],
				['2026-03-14T14:00:00Z', { properties: { cart_id: 'cart-9', order_id: 'o-4' } }],
				['2026-03-15T14:00:00Z', { properties: { checkout_id: '', cart_id: null, order_id: 7001 } }],
				['2026-03-16T14:00:00Z', { properties: { checkout_id: 'ck-1', cart_id: 'cart-tok-1', order_id: 'o-5' } }],
			]);
			expect(sends).toEqual([
				'2026-03-10 ada@example.com cart-recovery:o-1 sent',
				'2026-03-10 bob@example.com cart-recovery:o-2 sent',
				'2026-03-12 ada@example.com cart-recovery:o-3 sent',
				'2026-03-13 ada@example.com cart-recovery:o-3 duplicate',
				'2026-03-14 ada@example.com cart-recovery:cart-9 sent',
				'2026-03-15 ada@example.com cart-recovery:7001 sent',
				'2026-03-16 ada@example.com cart-recovery:ck-1 sent',
			]);
			expect(received).toHaveLength(6);
		});

		it('checkouts with no id at all: one email per address and day (the workflow\'s day, New York here), never one key for everyone', async () => {
			// SHA-256 of the lower-cased addresses (also `printf %s ada@example.com | sha256sum`)
			const ADA = 'b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72';
			const BOB = sha256('bob@example.com');
			expect(sha256('ada@example.com')).toBe(ADA);
			const sends = await runs([
				['2026-03-10T14:00:00Z', { properties: {} }],
				['2026-03-10T18:00:00Z', { email: 'Ada@Example.com', properties: { checkout_id: ' ' } }],
				['2026-03-10T19:00:00Z', { email: 'bob@example.com', properties: {} }],
				// 02:00 UTC on the 11th is still the 10th in New York
				['2026-03-11T02:00:00Z', { properties: {} }],
				['2026-03-11T14:00:00Z', { properties: {} }],
			]);
			expect(sends).toEqual([
				`2026-03-10 ada@example.com cart-recovery:no-cart-id:${ADA}:2026-03-10 sent`,
				`2026-03-10 Ada@Example.com cart-recovery:no-cart-id:${ADA}:2026-03-10 duplicate`,
				`2026-03-10 bob@example.com cart-recovery:no-cart-id:${BOB}:2026-03-10 sent`,
				`2026-03-11 ada@example.com cart-recovery:no-cart-id:${ADA}:2026-03-10 duplicate`,
				`2026-03-11 ada@example.com cart-recovery:no-cart-id:${ADA}:2026-03-11 sent`,
			]);
			// the key travels in SMTP's Message-ID (RFC 5322 3.6.4): the address must not
			expect(received.map((m) => m.mail.messageId)).toHaveLength(3);
			for (const m of received) expect(String(m.mail.messageId).replace(/@[^@]*$/, '')).not.toMatch(/example\.com|adaexample|bobexample/i);
		});
	});

	/**
	 * re-engagement-dates.json picked every customer inactive 60 days or more, so the first morning
	 * after activation mailed the store's whole lapsed history, and a customer inactive 90 days or
	 * more got the win-back again every 30 days (the key's window) for as long as they stayed away.
	 * A customer now counts within "Settings" → newly_inactive_within_days (7) of crossing 60 or 90
	 * days, so each crossing is mailed once; repeat_second_winback_every_days (0) brings back the
	 * monthly repeat when set. Mornings at 9:00 in New York; day counts worked by hand.
	 */
	describe('re-engagement-dates.json: newly inactive customers only', () => {
		const DAY = 86_400_000;

		it('the first morning: inactive 60–66 days → "we miss you", 90–96 → "it has been a while", anyone inactive longer or less → nothing', async () => {
			const now = '2026-03-10T13:00:02Z';
			at(now);
			const wf = template('re-engagement-dates.json');
			// each last order N days and 6 hours before this morning
			const ago = (days: number) => new Date(Date.parse(now) - days * DAY - 6 * 3_600_000).toISOString();
			const reasons: string[] = [];
			for (const days of [30, 59, 60, 66, 67, 75, 89, 90, 96, 97, 200, 1000]) {
				const item = await whyContact(wf, { email: 'ada@example.com', firstOrderAt: ago(days + 400), lastOrderAt: ago(days), lastActiveAt: ago(days), traits: {} });
				reasons.push(`${days} ${String(item.winback_reason)}`);
			}
			// never ordered: since the last activity, then since first seen
			for (const days of [62, 120]) reasons.push(`active ${days} ${String((await whyContact(wf, { email: 'bo@example.com', lastActiveAt: ago(days) })).winback_reason)}`);
			// never ordered nor did anything (a profile made by delivery reports alone): never "inactive"
			reasons.push(`seen 93 ${String((await whyContact(wf, { email: 'cy@example.com', firstSeenAt: ago(93) })).winback_reason)}`);
			expect(reasons).toEqual([
				'30 ', '59 ', '60 inactive_60', '66 inactive_60', '67 ', '75 ', '89 ', '90 inactive_90', '96 inactive_90', '97 ', '200 ', '1000 ',
				'active 62 inactive_60', 'active 120 ', 'seen 93 ',
			]);
		});

		/**
		 * Engagement tracking records every report of the ESP's sending domain, so an address the shop
		 * mails from another tool (staff notifications, B2B, a newsletter) gets a profile from its first
		 * Email Delivered alone: firstSeenAt set, no order, no activity (delivery reports are not the
		 * customer's activity). The win-back counted from firstSeenAt when there was neither last order
		 * nor last activity, so 60 days after the first report such an address got "we miss you", and
		 * 90 days after "it has been a while". A profile with neither lastOrderAt nor lastActiveAt is
		 * now never "inactive" (birthday and anniversary need a trait or an order: none either).
		 */
		it('an address known only from Mailgun delivery reports (62 and 92 days ago) gets no win-back; a visitor last active 62 days ago does', async () => {
			const now = '2026-03-10T13:00:02Z';
			at(now);
			const db = tempSqliteFile();
			const ago = (days: number) => new Date(Date.parse(now) - days * DAY).toISOString();
			// Mailgun's documented "delivered" payload for this address and day, mapped by the Mailgun source
			const delivered = (email: string, days: number, id: string) => {
				const body = fixtureBody('mailgun', 'delivered');
				Object.assign(body['event-data'] as IDataObject, { id, recipient: email, timestamp: Date.parse(ago(days)) / 1000 });
				return { ...normalizedOne('mailgun', body), receivedAt: ago(days) } as unknown as IDataObject;
			};
			const visit = { type: 'page', event: 'Page Viewed', messageId: 'seg-page-1', timestamp: ago(62), receivedAt: ago(62), userId: 'u-vi', anonymousId: null, email: 'vi@example.com', properties: { url: 'https://shop.example.com/' } };
			const events = [delivered('partner@wholesale.example', 62, 'mg-1'), delivered('staff@example.com', 92, 'mg-2'), visit];
			// engagement-tracking's own Record node, then the re-engagement template's own Export profiles, on one store
			const engagement = template('engagement-tracking.json');
			const record = engagement.nodes.find((n) => n.type === `${P}customerProfile` && n.parameters.operation === 'record')!;
			const recorded = await runWorkflow({ nodes: [{ ...record, parameters: { ...record.parameters, databaseFile: db } }], connections: {} }, { input: events.map((json) => ({ json })) });
			expect(recorded.items(record.name).map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded', 'recorded']);
			const exported = await runWorkflow(mainPath('re-engagement-dates.json', 'Export profiles', 'Export profiles', db));
			const profiles = exported.items('Export profiles').map((i) => i.json);
			const byEmail = (email: string) => profiles.find((p) => p.email === email)!;
			// what the ESP-only profiles look like: seen, never ordered, never active
			expect([byEmail('partner@wholesale.example'), byEmail('staff@example.com')].map((p) => [p.lastOrderAt ?? null, p.lastActiveAt ?? null, typeof p.firstSeenAt])).toEqual([
				[null, null, 'string'],
				[null, null, 'string'],
			]);
			const wf = template('re-engagement-dates.json');
			const reasons: string[] = [];
			for (const email of ['partner@wholesale.example', 'staff@example.com', 'vi@example.com']) {
				const item = await whyContact(wf, byEmail(email));
				reasons.push(`${email} ${String(item.winback_reason)} ${String(item.winback_repeat)} ${String(await passes(wf, 'Has a reason?', item))}`);
			}
			expect(reasons).toEqual(['partner@wholesale.example  0 false', 'staff@example.com  0 false', 'vi@example.com inactive_60 0 true']);
		});

		/** Every morning from `first` to `last`, the template's choice for one customer, then Headline → Render → Send when it has a reason. */
		async function mornings(wf: Template, lastOrderAt: string, first: string, last: string, runsPerDay: number[] = [0]) {
			const db = tempSqliteFile();
			const sends: string[] = [];
			for (let t0 = Date.parse(first); t0 <= Date.parse(last); t0 += DAY) for (const hours of runsPerDay) {
				const t = t0 + hours * 3_600_000;
				at(new Date(t).toISOString());
				const profile: IDataObject = { email: 'ada@example.com', firstOrderAt: '2025-01-20T15:00:00.000Z', lastOrderAt, lastActiveAt: lastOrderAt, traits: { first_name: 'Ada' } };
				const chosen = await whyContact(wf, profile);
				if (chosen.winback_reason) {
					const item = await assigned(wf, 'Headline', chosen);
					const result = await runWorkflow(mainPath('re-engagement-dates.json', 'Render win-back email', 'Send', db), { input: [{ json: { ...item, profile } }], credentials: credentials(), staticData: {}, mode: 'trigger' });
					expect(result.error).toBeUndefined();
					for (const i of result.items('Send')) if (i.json.status === 'sent') sends.push(`${new Date(t).toISOString().slice(0, 10)} ${String(item.winback_reason)}`);
				}
				jest.useRealTimers();
			}
			return sends;
		}

		// Last order 2026-03-10 15:00 UTC (11:00 in New York, March 10). Days are calendar days in
		// the workflow's zone, whatever the hour: 60 days on May 9 (21 days to March 31, 30 in April,
		// 9 in May); 90 on June 8; 120, 150, 180, 210 on July 8, August 7, September 6, October 6.
		const LAST_ORDER = '2026-03-10T15:00:00.000Z';

		it('a customer who stays away from March to October gets "we miss you" once and "it has been a while" once', async () => {
			const sends = await mornings(template('re-engagement-dates.json'), LAST_ORDER, '2026-05-01T13:00:02Z', '2026-10-31T13:00:02Z');
			expect(sends).toEqual(['2026-05-09 inactive_60', '2026-06-08 inactive_90']);
			expect(received).toHaveLength(2);
		});

		it('with repeat_second_winback_every_days 30 in "Settings", the 90-day email comes back every 30 days', async () => {
			const wf = template('re-engagement-dates.json');
			const settings = wf.nodes.find((n) => n.name === 'Settings')!;
			const repeat = (settings.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments.find((a) => a.name === 'repeat_second_winback_every_days')!;
			expect(repeat.value).toBe(0);
			repeat.value = 30;
			const sends = await mornings(wf, LAST_ORDER, '2026-05-01T13:00:02Z', '2026-10-31T13:00:02Z');
			expect(sends).toEqual(['2026-05-09 inactive_60', '2026-06-08 inactive_90', '2026-07-08 inactive_90', '2026-08-07 inactive_90', '2026-09-06 inactive_90', '2026-10-06 inactive_90']);
		});

		/**
		 * The key was `reengage:<email>:inactive_90` for every repeat, remembered 720 h, so a repeat
		 * below 30 days was a duplicate until the month was over: with 14, June 8 then nothing before
		 * July. Each repeat now has its own key; runs at 9:00 and again at 16:00 (a manual re-run) of
		 * each day still send once a day at most. 90, 104, 118, 132 days: June 8, June 22, July 6, July 20.
		 */
		it('with repeat_second_winback_every_days 14 (below the 30-day memory), every 14 days; a second run the same day sends nothing', async () => {
			const wf = template('re-engagement-dates.json');
			const settings = (wf.nodes.find((n) => n.name === 'Settings')!.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
			settings.find((a) => a.name === 'repeat_second_winback_every_days')!.value = 14;
			const sends = await mornings(wf, LAST_ORDER, '2026-06-01T13:00:02Z', '2026-07-25T13:00:02Z', [0, 7]);
			expect(sends).toEqual(['2026-06-08 inactive_90', '2026-06-22 inactive_90', '2026-07-06 inactive_90', '2026-07-20 inactive_90']);
			expect(received).toHaveLength(4);
			expect(new Set(received.map((m) => m.mail.messageId)).size).toBe(4);
		});

		/**
		 * A cleared number field in "Settings" read as 0 (Number(null)): first_winback_after_days 0
		 * made everyone active in the last 7 days "inactive_60" ("we miss you"). A value that is not a
		 * whole number of days in range now gives no reason to anyone and a settings_problem naming
		 * it, which "Settings wrong?" sends to "Stop: fix Settings" (the run fails with that message).
		 */
		it('a cleared or wrong value in "Settings" mails nobody and names the setting', async () => {
			at('2026-03-10T13:00:02Z');
			const wf = template('re-engagement-dates.json');
			const customer = { email: 'ada@example.com', firstOrderAt: '2025-01-20T15:00:00.000Z', lastOrderAt: '2026-03-07T15:00:00.000Z', lastActiveAt: '2026-03-07T15:00:00.000Z', traits: {} };
			const cases: Array<[string, unknown, string]> = [
				['first_winback_after_days', null, 'first_winback_after_days is null, it must be a whole number of days, 1 or more'],
				['first_winback_after_days', 0, 'first_winback_after_days is 0,'],
				['first_winback_after_days', 'sixty', 'first_winback_after_days is "sixty",'],
				['second_winback_after_days', 60, 'second_winback_after_days is 60, it must be a whole number of days above first_winback_after_days (60)'],
				['second_winback_after_days', undefined, 'second_winback_after_days is null,'],
				['newly_inactive_within_days', 0, 'newly_inactive_within_days is 0,'],
				['newly_inactive_within_days', 2.5, 'newly_inactive_within_days is 2.5,'],
				['repeat_second_winback_every_days', -7, 'repeat_second_winback_every_days is -7,'],
				['repeat_second_winback_every_days', null, 'repeat_second_winback_every_days is null,'],
			];
			for (const [name, value, message] of cases) {
				const copy = template('re-engagement-dates.json');
				const a = (copy.nodes.find((n) => n.name === 'Settings')!.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments.find((x) => x.name === name)!;
				a.value = value;
				const item = await whyContact(copy, customer);
				expect([name, item.winback_reason]).toEqual([name, '']);
				expect(String(item.settings_problem)).toContain(`Settings: ${message}`);
				expect(await passes(copy, 'Settings wrong?', item)).toBe(true);
				expect(await passes(copy, 'Has a reason?', item)).toBe(false);
			}
			// the defaults: no problem, and this customer (last order 3 days ago) gets nothing
			const fine = await whyContact(wf, customer);
			expect([fine.settings_problem, fine.winback_reason]).toEqual(['', '']);
			expect(await passes(wf, 'Settings wrong?', fine)).toBe(false);
			// wiring: the problem reaches a Stop and Error that fails the run with it
			expect(wf.connections['Why contact them?'].main[0]!.map((c) => c.node)).toContain('Settings wrong?');
			const stop = wf.nodes.find((n) => n.name === wf.connections['Settings wrong?'].main[0]![0].node)!;
			expect([stop.type, stop.parameters.errorMessage]).toEqual(['n8n-nodes-base.stopAndError', '={{ $json.settings_problem }}']);
		});
	});

	/**
	 * The birthday was read by Luxon's fromISO and then shown in the workflow's zone: only an ISO date
	 * matched as written; a timestamp at midnight UTC fell on the day before in New York; `--07-14` and
	 * `07-14` never matched, and nothing said so; 29 February matched only in leap years. Mornings at
	 * 9:00 in New York (EDT in July, EST in February); the last order 10 days ago, so no other reason.
	 */
	describe('re-engagement-dates.json: birthdays', () => {
		const morning = (day: string) => `${day}T${day.slice(5, 7) === '02' ? '14' : '13'}:00:02Z`;
		async function chosen(birthday: unknown, day: string) {
			at(morning(day));
			const lastOrderAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
			const item = await whyContact(template('re-engagement-dates.json'), { email: 'ada@example.com', lastOrderAt, traits: birthday === undefined ? {} : { birthday } });
			jest.useRealTimers();
			return item;
		}

		it.each([
			['1990-07-14', '2026-07-14', 'birthday'],
			['1990-07-14', '2026-07-13', ''],
			['1990-07-14T00:00:00.000Z', '2026-07-14', 'birthday'],
			['1990-07-14T00:00:00.000Z', '2026-07-13', ''],
			['1990-07-14T23:30:00+02:00', '2026-07-14', 'birthday'],
			['1990-07-14T01:00:00-07:00', '2026-07-14', 'birthday'],
			['1990-07-14 08:00', '2026-07-14', 'birthday'],
			['--07-14', '2026-07-14', 'birthday'],
			['07-14', '2026-07-14', 'birthday'],
			['07-14', '2026-07-15', ''],
			['1992-02-29', '2026-02-28', 'birthday'],
			['1992-02-29', '2026-03-01', ''],
			['1992-02-29', '2028-02-28', ''],
			['1992-02-29', '2028-02-29', 'birthday'],
			['--02-29', '2027-02-28', 'birthday'],
			['1992-02-28', '2028-02-28', 'birthday'],
			['1992-02-28', '2028-02-29', ''],
		])('birthday %s on the morning of %s → "%s"', async (birthday, day, reason) => {
			const item = await chosen(birthday, day);
			expect(item.winback_reason).toBe(reason);
			expect(item.birthday_problem ?? '').toBe('');
		});

		it.each([['14/07/1990'], ['July 14'], ['1990-02-29'], ['1990-13-01'], ['1990-07-32'], ['--7-14'], [19900714]])('an unreadable birthday %p gets no email, and says why on "Unreadable birthdays (fix the trait)"', async (birthday) => {
			const item = await chosen(birthday, '2026-07-14');
			expect(item.winback_reason).toBe('');
			expect(item.birthday_problem).toBe(`birthday ${JSON.stringify(birthday)} is not a date this template reads (1990-07-14, 1990-07-14T00:00:00Z, --07-14 or 07-14): no birthday email`);
			const wf = template('re-engagement-dates.json');
			const branch = 'Unreadable birthdays (fix the trait)';
			expect(wf.connections['Why contact them?'].main[0]!.map((c) => c.node)).toContain(branch);
			expect(await passes(wf, branch, item)).toBe(true);
			expect(await passes(wf, branch, await chosen('1990-07-14', '2026-07-14'))).toBe(false);
			expect(await passes(wf, branch, await chosen(undefined, '2026-07-14'))).toBe(false);
		});
	});
});
