/**
 * The importable templates (templates/*.json): the nodes of this package at the version a user who
 * adds them today gets (their defaultVersion), and each template's Render Email → ESP Dispatch
 * (with the A/B node before it where the template has one) run through the real n8n engine and a
 * real SMTP server (smtp-server, parsed with mailparser).
 *
 * The expected mails are written out by hand from the templates' content: recipient, sender,
 * subject, the body's unsubscribe link and List-Unsubscribe (the same per-recipient URL), the
 * mailto, the attribution headers and the Message-ID derived from the idempotency key.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { loadPackage, P, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../harness/engine';
import { onStoreFile, tempSqliteFile } from '../harness/profile-db';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
const templateFiles = fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json')).sort();
const template = (file: string): WorkflowJson & { nodes: INode[] } => JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8'));

/**
 * The template's nodes from `from` to `to` along output 0 (as they are connected there), their
 * profile store (Customer Profile, Send's sent keys) on a new SQLite file.
 */
function cut(file: string, from: string, to: string): WorkflowJson {
	const wf = template(file);
	const connections = wf.connections as IConnections;
	const names = [from];
	while (names[names.length - 1] !== to) {
		const next = connections[names[names.length - 1]]?.main?.[0]?.[0]?.node;
		if (!next) throw new Error(`${file}: no path from ${from} to ${to}`);
		names.push(next);
	}
	const databaseFile = tempSqliteFile();
	const nodes = names.map((n) => onStoreFile(wf.nodes.find((x) => x.name === n)!, databaseFile));
	const cutConnections: IConnections = {};
	for (let k = 0; k < names.length - 1; k++) cutConnections[names[k]] = { main: [[{ node: names[k + 1], type: 'main', index: 0 }]] };
	return { nodes, connections: cutConnections };
}

/** A recipient address with a character that must be encoded in the link (`+` → %2B, `@` → %40). */
const ADA = 'ada+vip@example.com';
const ADA_UNSUBSCRIBE = 'https://shop.example.com/unsubscribe?email=ada%2Bvip%40example.com';
const LIST_UNSUBSCRIBE = `<${ADA_UNSUBSCRIBE}>, <mailto:unsubscribe@example.com>`;
/**
 * SHA-256 of ADA (`printf %s ada+vip@example.com | sha256sum`): the templates key their sends by
 * this hash, not the address, since the key travels in the Message-ID header.
 */
const ADA_SHA256 = 'c7922fe91dc897508c2e86f91418e19f027027eddb648f5bb76f17bfd9adbffb';

describe('templates', () => {
	it('use every node of this package at its current default version', async () => {
		const pkg = await loadPackage();
		const found: string[] = [];
		for (const file of templateFiles) {
			for (const n of template(file).nodes) {
				if (!n.type.startsWith(P)) continue;
				const description = pkg.loader.nodeTypes[n.type.slice(P.length)].type.description as { version: number | number[]; defaultVersion?: number };
				const expected = description.defaultVersion ?? (Array.isArray(description.version) ? Math.max(...description.version) : description.version);
				found.push(`${file}: ${n.name} v${n.typeVersion}${n.typeVersion === expected ? '' : ` (current: ${expected})`}`);
			}
		}
		expect(found.filter((f) => f.includes('current:'))).toEqual([]);
		// Render Email and ESP Dispatch are at 1.1 in every template that sends.
		expect(found.filter((f) => /(Render|Send).* v1\.1$/.test(f)).length).toBe(10);
	});

	it('wire ESP Dispatch through Render Email\'s `message`: no mapping of what 1.1 reads by default', () => {
		for (const file of templateFiles) {
			const wf = template(file);
			const send = wf.nodes.find((n) => n.type === `${P}espDispatch`);
			if (!send) continue;
			const render = wf.nodes.find((n) => n.type === `${P}renderEmail`)!;
			expect([file, Object.keys(send.parameters).filter((k) => ['fromEmail', 'fromName', 'toEmail', 'subject', 'html', 'text', 'unsubscribeUrl'].includes(k))]).toEqual([file, []]);
			expect([file, render.parameters.outputField]).toEqual([file, undefined]);
			// The one unsubscribe URL, in Render Email, used by the body link and by List-Unsubscribe.
			expect([file, render.parameters.unsubscribeUrl]).toEqual([file, '=https://shop.example.com/unsubscribe?email={{ encodeURIComponent($json.email || $json.profile?.email) }}']);
			expect([file, String(render.parameters.body).match(/href="[^"]*unsubscribe[^"]*"/gi)]).toEqual([file, ['href="{{ unsubscribe_url }}"']]);
		}
	});

	describe('send the same mails through SMTP', () => {
		const received: ReceivedMail[] = [];
		let inbox: SmtpInbox;
		let port = 0;
		beforeAll(async () => {
			inbox = await startSmtpInbox({ into: received });
			port = inbox.port;
		});
		afterAll(() => inbox.close());
		beforeEach(() => {
			received.length = 0;
		});

		const credentials = () => ({ personalizationSmtpApi: { host: '127.0.0.1', port, secure: false, ignoreSslIssues: false } });
		const header = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');

		async function send(file: string, from: string, input: IDataObject[]) {
			const result = await runWorkflow(cut(file, from, 'Send'), { input: input.map((json): INodeExecutionData => ({ json })), credentials: credentials() });
			expect(result.error).toBeUndefined();
			return result;
		}

		/** What every template's mail to Ada carries: sender, recipient, the unsubscribe link and headers. */
		function expectCommon(mail: ParsedMail, campaign: string, messageId: string | RegExp) {
			expect(mail.from?.value).toEqual([{ name: 'Example Store', address: 'shop@example.com' }]);
			expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : undefined).toEqual([{ name: '', address: ADA }]);
			expect(header(mail, 'list-unsubscribe')).toBe(LIST_UNSUBSCRIBE);
			expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
			// The body's link is the List-Unsubscribe URL, encoded as before.
			expect((String(mail.html).match(/href="[^"]*unsubscribe[^"]*"/gi) ?? [])).toEqual([`href="${ADA_UNSUBSCRIBE}"`]);
			expect(mail.text).toContain('Unsubscribe');
			expect(header(mail, 'x-pz-campaign-id')).toBe(campaign);
			// Message-ID: the idempotency key without the characters a Message-ID cannot hold, a dot and the
			// run's own 12 hex digits, @ the sender's domain (`<key@domain>` below; the browse key with
			// $now's date is matched on the date's shape).
			if (typeof messageId === 'string') {
				const [, key, domain] = /^<(.*)@([^@]*)>$/.exec(messageId)!;
				const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
				expect(mail.messageId).toMatch(new RegExp(`^<${esc(key)}\\.[0-9a-f]{12}@${esc(domain)}>$`));
			} else expect(mail.messageId).toMatch(messageId);
			// The recipient's address is not in the Message-ID (a header every relay and mailbox keeps) in
			// any spelling the key's clean-up could leave: ada+vip@example.com, adavipexample.com… (the
			// hash and the run's part are hex: no v, x, m, p, l)
			expect(String(mail.messageId).replace(/@[^@]*>$/, '')).not.toMatch(/ada\+?vip|example/i);
		}

		it('cart-abandonment-recovery.json', async () => {
			await send('cart-abandonment-recovery.json', 'Render recovery email', [
				{
					email: ADA,
					traits: { first_name: 'Ada' },
					profile: { traits: { first_name: 'Ada' } },
					properties: { checkout_id: 'ck-4242', currency: 'USD', total: 59.9, recovery_url: 'https://shop.example.com/recover/4242', products: [{ name: 'Organic cotton t-shirt', quantity: 2, price: 19.95 }] },
				},
			]);
			expect(received.map((r) => r.to)).toEqual([[ADA]]);
			const { mail } = received[0];
			expect(mail.subject).toBe('Ada, you left something in your cart');
			expect(mail.html).toContain('Hi Ada, your cart is waiting');
			expect(mail.html).toContain('Organic cotton t-shirt');
			expect(mail.html).toContain('$59.90');
			expect(mail.html).toContain('href="https://shop.example.com/recover/4242"');
			expectCommon(mail, 'cart-recovery', '<cart-recoveryck-4242@example.com>');
		});

		it('browse-abandonment.json', async () => {
			await send('browse-abandonment.json', 'Render browse email', [
				{ email: ADA, userId: 'u-ada', properties: { name: 'Trail runner', url: 'https://shop.example.com/p/trail' }, profile: { traits: { first_name: 'Ada' } } },
			]);
			expect(received.map((r) => r.to)).toEqual([[ADA]]);
			const { mail } = received[0];
			expect(mail.subject).toBe('Trail runner is still here');
			expect(mail.html).toContain('Still thinking about Trail runner, Ada?');
			expectCommon(mail, 'browse-abandonment', new RegExp(`^<browse${ADA_SHA256}\\d{4}-\\d{2}-\\d{2}\\.[0-9a-f]{12}@example\\.com>$`));
		});

		it('nightly-rfm-vip.json', async () => {
			await send('nightly-rfm-vip.json', 'Render VIP offer', [{ email: ADA, segment: 'Champions', frequency: 5, profile: { ordersCount: 5, traits: { first_name: 'Ada' } } }]);
			expect(received.map((r) => r.to)).toEqual([[ADA]]);
			const { mail } = received[0];
			expect(mail.subject).toBe('Ada, an exclusive offer for our Champions');
			expect(mail.html).toContain('Thank you for your 5 orders');
			expect(header(mail, 'x-pz-segment')).toBe('Champions');
			expectCommon(mail, 'vip-offer', `<vip-offer${ADA_SHA256}@example.com>`);
		});

		it('re-engagement-dates.json', async () => {
			await send('re-engagement-dates.json', 'Render win-back email', [{ email: ADA, winback_reason: 'birthday', winback_headline: 'happy birthday from all of us', profile: { traits: { first_name: 'Ada' } } }]);
			expect(received.map((r) => r.to)).toEqual([[ADA]]);
			const { mail } = received[0];
			expect(mail.subject).toBe('Ada, happy birthday from all of us');
			expect(mail.html).toContain('BDAY20');
			expectCommon(mail, 're-engagement', `<reengage${ADA_SHA256}birthday@example.com>`);
		});

		it('ab-test-dynamic-vs-static.json: the experiment and the variant the A/B node assigned are in the metadata', async () => {
			const people = ['ada', 'bo', 'cy', 'di', 'ed', 'flo'].map((n) => ({ email: n === 'ada' ? ADA : `${n}@example.com`, traits: { first_name: n.toUpperCase() } }));
			const result = await send('ab-test-dynamic-vs-static.json', 'A/B: dynamic vs static', people);
			const assigned = new Map(result.items('A/B: dynamic vs static').map((i) => [String(i.json.email), String(i.json.variant)]));
			expect(new Set(assigned.values())).toEqual(new Set(['dynamic', 'static']));
			expect(received.map((r) => r.to[0]).sort()).toEqual(people.map((p) => p.email).sort());
			for (const { to, mail } of received) {
				const variant = assigned.get(to[0]);
				expect([to[0], header(mail, 'x-pz-experiment-id'), header(mail, 'x-pz-variant')]).toEqual([to[0], 'welcome-dynamic-vs-static', variant]);
				const name = to[0] === ADA ? 'ADA' : to[0].split('@')[0].toUpperCase();
				expect([to[0], mail.subject]).toEqual([to[0], variant === 'dynamic' ? `${name}, welcome to Example Store` : 'Welcome to Example Store']);
			}
			// ESP Dispatch's items carry the attribution under the names A/B Experiment Analyze reads.
			for (const { json } of result.items('Send')) expect([json.recipient, json.status, json.experiment, json.variant]).toEqual([json.recipient, 'sent', 'welcome-dynamic-vs-static', assigned.get(String(json.recipient))]);
			expectCommon(received.find((r) => r.to[0] === ADA)!.mail, 'welcome', `<welcome${ADA_SHA256}@example.com>`);
		});

		it('ab-test-dynamic-vs-static.json with a Holdout %: the holdout gets no email', async () => {
			const wf = cut('ab-test-dynamic-vs-static.json', 'A/B: dynamic vs static', 'Send');
			wf.nodes[0].parameters.holdoutPercent = 50;
			const people = Array.from({ length: 12 }, (_, k) => ({ email: `holdout${k}@example.com`, traits: { first_name: `N${k}` } }));
			const result = await runWorkflow(wf, { input: people.map((json) => ({ json })), credentials: credentials() });
			expect(result.error).toBeUndefined();
			const holdout = result.items('A/B: dynamic vs static').filter((i) => i.json.is_holdout === true).map((i) => String(i.json.email));
			expect(holdout.length).toBeGreaterThan(0);
			expect(holdout.length).toBeLessThan(people.length);
			expect(received.map((r) => r.to[0]).sort()).toEqual(people.map((p) => p.email).filter((e) => !holdout.includes(e)).sort());
			for (const { json } of result.items('Send')) expect([json.recipient, json.status]).toEqual([json.recipient, holdout.includes(String(json.recipient)) ? 'suppressed' : 'sent']);
		});
	});
});
