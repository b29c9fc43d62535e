/**
 * Render Email through the real n8n engine: the reference email (package examples) for several
 * recipients, checked structurally by parsing the HTML, plus the text part, errors, Continue On
 * Fail and the lint operation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomUtils, parseDocument, type Element } from '../harness/html';
import type { IDataObject, INode } from 'n8n-workflow';
import { node, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../harness/engine';

const examples = path.join(PACKAGE_ROOT, 'nodes', 'RenderEmail', 'examples');
const body = fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8');
const blocks = fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8');
const ada = JSON.parse(fs.readFileSync(path.join(examples, 'sample-recipient.json'), 'utf8')) as IDataObject;

const params = {
	operation: 'render',
	format: 'mjml',
	subject: '{{ profile.first_name | default: "Hello" }}, new picks for you',
	preheader: 'Fresh arrivals for {{ profile.first_name | default: "you" }}',
	body,
	blocks,
	defaults: '{}',
	outputField: 'email',
	fromEmail: 'news@shop.example.com',
	fromName: 'Northwind',
};

function workflow(parameters: INode['parameters'] = params, extra: Partial<INode> = {}): WorkflowJson {
	return { nodes: [node('Render Email', 'renderEmail', parameters, extra)], connections: {} };
}

const HOSTILE = `<script>alert("pwned")</script> "Deluxe" 'tee' & co`;
const noCart = { profile: { email: 'bo@example.com', orders_count: 0, currency: 'USD' }, campaign: { id: 'spring_2024' }, unsubscribe_url: 'https://shop.example.com/u/bo' };
const hostile = {
	...ada,
	profile: { ...(ada.profile as IDataObject), first_name: '<b>Eve</b>' },
	recommendations: [
		{ name: HOSTILE, price: 10, currency: 'USD', url: 'https://shop.example.com/p/x" onmouseover="alert(1)', image_url: 'https://cdn.example.com/x.jpg' },
		{ name: 'Plain socks', price: 5, currency: 'USD', url: 'https://shop.example.com/p/socks', image_url: 'https://cdn.example.com/socks.jpg' },
	],
};

function dom(html: string) {
	return parseDocument(html);
}
const byClass = (doc: ReturnType<typeof dom>, cls: string) =>
	DomUtils.findAll((e) => (e.attribs.class ?? '').split(/\s+/).includes(cls), doc.children);
const links = (doc: ReturnType<typeof dom>) => DomUtils.findAll((e) => e.name === 'a', doc.children);
const textOf = (e: Element) => DomUtils.textContent(e).replace(/\s+/g, ' ').trim();

describe('Render Email node (real n8n engine)', () => {
	let items: IDataObject[] = [];

	beforeAll(async () => {
		const result = await runWorkflow(workflow(), { input: [{ json: ada }, { json: noCart }, { json: hostile }] });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		items = out.map((i) => i.json);
	});

	it('keeps the input fields and adds the email under "email"', () => {
		expect(items[0].profile).toEqual(ada.profile);
		const email = items[0].email as IDataObject;
		expect(Object.keys(email).sort()).toEqual(
			['blocks_shown', 'from', 'html', 'preheader', 'size_bytes', 'subject', 'text', 'warnings'].sort(),
		);
		expect(email.subject).toBe('Ada, new picks for you');
		expect(email.preheader).toBe('Fresh arrivals for Ada');
		expect(email.from).toEqual({ email: 'news@shop.example.com', name: 'Northwind' });
		expect(email.size_bytes).toBe(Buffer.byteLength(email.html as string));
	});

	it('full recipient: 4 product columns (of 5 recommendations), cart rows, loyalty, unsubscribe link, no Liquid left', () => {
		const email = items[0].email as IDataObject;
		const html = email.html as string;
		const doc = dom(html);
		const columns = byClass(doc, 'product');
		expect(columns).toHaveLength(4); // `limit: 4` of the 5 recommendations
		expect(columns.map((c) => textOf(c))).toEqual([
			expect.stringContaining('Merino crew sweater'),
			expect.stringContaining('Everyday chino'),
			expect.stringContaining('Trail jacket'),
			expect.stringContaining('Organic tee'),
		]);
		// prices: hand-computed with Intl en-US USD
		expect(textOf(columns[1])).toContain('$69.50');
		// cart: 2 rows + total row in the cart table; line total 2 × 24.49 = 48.98
		const cartCell = byClass(doc, 'cart-table'); // MJML puts css-class on the cell around the table
		expect(cartCell).toHaveLength(1);
		const rows = DomUtils.findAll((e) => e.name === 'tr', cartCell[0].children);
		expect(rows).toHaveLength(3);
		expect(textOf(rows[1])).toContain('$48.98');
		expect(textOf(rows[2])).toContain('$103.98');
		const unsubscribe = links(doc).filter((a) => textOf(a) === 'Unsubscribe');
		expect(unsubscribe).toHaveLength(1);
		expect(unsubscribe[0].attribs.href).toBe('https://shop.example.com/email/unsubscribe?u=ada-7f3a');
		expect(html).not.toMatch(/\{\{|\{%|pzlq\d/);
		expect(DomUtils.textContent(DomUtils.findOne((e) => e.name === 'title', doc.children)!)).toBe('Ada, new picks for you');
		expect(email.blocks_shown).toEqual(['header', 'hero', 'greeting', 'recommendations', 'cart', 'loyalty', 'benefits', 'footer']);
		// CSS inlined by MJML: elements carry their styles
		expect(DomUtils.findAll((e) => e.name === 'td' && /padding/.test(e.attribs.style ?? ''), doc.children).length).toBeGreaterThan(20);
	});

	it('full recipient: the text part reads like the email', () => {
		const text = (items[0].email as IDataObject).text as string;
		expect(text).toContain('Hi Ada,');
		expect(text).toMatch(/Merino crew sweater[^\n]*\n[^\n]*\n?\$89\.00/);
		expect(text).toContain('You left 2 items in your cart');
		expect(text).toContain('Gold member: 1250 points');
		expect(text).toContain('Unsubscribe (https://shop.example.com/email/unsubscribe?u=ada-7f3a)');
		expect(text).not.toMatch(/<[a-z]|&amp;|&nbsp;|\{\{/);
		expect(text).not.toContain('Fresh arrivals for Ada'); // the hidden preheader is not body text
	});

	it('no cart, no recommendations, no first name: fallbacks render and blocks_shown says so', () => {
		const email = items[1].email as IDataObject;
		const doc = dom(email.html as string);
		expect(byClass(doc, 'product')).toHaveLength(0);
		expect(byClass(doc, 'cart-table')).toHaveLength(0);
		expect(email.blocks_shown).toEqual(['header', 'hero', 'greeting', 'bestsellers', 'loyalty_join', 'benefits', 'footer']);
		expect(email.subject).toBe('Hello, new picks for you');
		const text = email.text as string;
		expect(text).toContain('Hi there,');
		expect(text).toContain('Our bestsellers');
		expect(text).toContain('Join Northwind Rewards');
		expect(text).not.toContain('Still thinking it over');
		expect(links(doc).find((a) => textOf(a) === 'Unsubscribe')?.attribs.href).toBe('https://shop.example.com/u/bo');
	});

	it('hostile product name and URL are escaped: no script element, attributes intact, text keeps the literal name', () => {
		const email = items[2].email as IDataObject;
		const html = email.html as string;
		const doc = dom(html);
		expect(DomUtils.findAll((e) => e.name === 'script', doc.children)).toHaveLength(0);
		expect(DomUtils.findAll((e) => e.name === 'b', doc.children)).toHaveLength(0);
		expect(DomUtils.findAll((e) => 'onmouseover' in e.attribs, doc.children)).toHaveLength(0);
		const columns = byClass(doc, 'product');
		expect(columns).toHaveLength(2);
		const img = DomUtils.findOne((e) => e.name === 'img', columns[0].children)!;
		expect(img.attribs.alt).toBe(HOSTILE); // the quotes did not end the attribute
		// `truncate: 48` keeps 45 characters and appends "..." (Shopify Liquid docs: the ellipsis counts)
		expect(textOf(columns[0])).toContain(`${HOSTILE.slice(0, 45)}...`);
		expect(email.text as string).toContain('Hi <b>Eve</b>,');
	});

	it('fails with the item and the reason; Continue On Fail yields an error item and keeps the rest', async () => {
		const badBlocks = JSON.stringify([{ name: 'x', content: '<mj-text>{% for i in (1..100000000) %}{{ i }}{% endfor %}</mj-text>' }]);
		const loopBody = '<mjml><mj-body><mj-section><mj-column>{% if runaway %}{% render \'x\' %}{% endif %}<mj-text>ok <a href="https://x.test/unsubscribe">unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
		const p = { ...params, body: loopBody, blocks: badBlocks, options: { renderLimitMs: 200 } };
		const started = Date.now();
		const failed = await runWorkflow(workflow(p), { input: [{ json: { runaway: false } }, { json: { runaway: true } }] });
		expect(Date.now() - started).toBeLessThan(20000);
		expect(failed.error?.message).toMatch(/^Item 1: Rendering stopped (after 200 ms|by the memory limit)/);
		const cof = await runWorkflow(workflow(p, { onError: 'continueRegularOutput' }), {
			input: [{ json: { runaway: false } }, { json: { runaway: true } }, { json: { runaway: false } }],
		});
		const out = cof.items('Render Email');
		expect(out).toHaveLength(3);
		expect((out[0].json.email as IDataObject).html).toContain('ok');
		expect(String(out[1].json.error)).toMatch(/^Item 1: Rendering stopped (after 200 ms|by the memory limit)/);
		expect(out[1].json.runaway).toBe(true);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('On Error → Continue (using error output): the failed recipient leaves on the error output, named; the others render', async () => {
		// An error item that kept the recipient's fields stayed on the success output (n8n routes only
		// items of the error alone), so a failed recipient went on towards ESP Dispatch.
		const p = { ...params, body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ profile.first_name }} <a href="https://x.test/unsubscribe">unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>', options: { strict: true } };
		const result = await runWorkflow(workflow(p, { onError: 'continueErrorOutput' }), {
			input: [{ json: { profile: { first_name: 'Ada' } } }, { json: { campaign: 'x' } }, { json: { profile: { first_name: 'Bo' } } }],
		});
		expect(result.error).toBeUndefined();
		const [ok, failed] = result.nodes['Render Email'].outputs;
		expect(ok.map((o) => [(o.json.email as IDataObject).html?.toString().includes(`Hi ${o === ok[0] ? 'Ada' : 'Bo'}`), o.pairedItem])).toEqual([
			[true, { item: 0 }],
			[true, { item: 2 }],
		]);
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(String(failed[0].json.error)).toMatch(/^Item 1: .*profile/);
	});

	it('a template error names the block and line', async () => {
		const p = { ...params, blocks: JSON.stringify([{ name: 'header', content: '<mj-section>\n<mj-column width="{{ w }}"><mj-text>x</mj-text></mj-column>\n</mj-section>' }]), body: '<mjml><mj-body>{% render \'header\' %}</mj-body></mjml>' };
		const result = await runWorkflow(workflow(p), { input: [{ json: {} }] });
		expect(result.error?.message).toContain('Item 0: block:header line 2');
		expect(result.error?.message).toContain('width');
	});

	it('the starter template and blocks (parameter defaults) render, with the VIP rule and its fallback', async () => {
		const result = await runWorkflow(workflow({ operation: 'render', subject: 'Hello' }), {
			input: [{ json: { profile: { first_name: 'Ada', segment: 'VIP' }, unsubscribe_url: 'https://x.test/u' } }, { json: { profile: {} } }],
		});
		expect(result.error).toBeUndefined();
		const [vip, other] = result.items('Render Email').map((i) => i.json.email as IDataObject);
		expect(vip.text).toContain('Hi Ada,');
		expect(vip.text).toContain('Your VIP early access starts today.');
		expect(vip.blocks_shown).toEqual(['offer']);
		expect(other.text).toContain('Hi there,');
		expect(other.text).toContain('Our new season is here.');
		expect(other.blocks_shown).toEqual(['offer_default']);
	});

	describe('block rules (review)', () => {
		const htmlBody = '<html><body>{% render \'first\' %}<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>';
		const library = (rule: unknown) =>
			JSON.stringify([
				{ name: 'first', rule, fallback: 'other', content: '<p>first</p>' },
				{ name: 'other', content: '<p>other</p>' },
			]);
		const p = (rule: unknown) => ({ ...params, format: 'html', body: htmlBody, blocks: library(rule), preheader: 'p' });
		const u = 'https://shop.example.com/u/x';

		it('gt / lte on dates compare moments (they were always false)', async () => {
			// first order in 2024 or later: 2024-03-01 10:00 UTC yes, 2023-12-31 no, 2024-01-01 itself not after it, 00:30 at +01:00 is 2023-12-31 23:30 UTC
			const recipients = ['2024-03-01T10:00:00Z', '2023-12-31', '2024-01-01', '2024-01-01T00:30:00+01:00'].map((at) => ({ json: { profile: { first_order_at: at }, unsubscribe_url: u } }));
			const after = await runWorkflow(workflow(p({ field: 'profile.first_order_at', operator: 'gt', value: '2024-01-01' })), { input: recipients });
			expect(after.error).toBeUndefined();
			expect(after.items('Render Email').map((i) => (i.json.email as IDataObject).blocks_shown)).toEqual([['first'], ['other'], ['other'], ['other']]);
			const before = await runWorkflow(workflow(p({ field: 'profile.first_order_at', operator: 'lte', value: '2024-01-01' })), { input: recipients });
			expect(before.items('Render Email').map((i) => (i.json.email as IDataObject).blocks_shown)).toEqual([['other'], ['first'], ['first'], ['first']]);
		});

		it('equals and gt read decimal numbers as Customer Segments does ("5.0" was not "5"; "0x10" was 16)', async () => {
			const shown = async (rule: unknown, values: unknown[]) => {
				const result = await runWorkflow(workflow(p(rule)), { input: values.map((orders) => ({ json: { profile: { orders }, unsubscribe_url: u } })) });
				expect(result.error).toBeUndefined();
				return result.items('Render Email').map((i) => (i.json.email as IDataObject).blocks_shown);
			};
			// "5.0", "05" and 5 are the number 5; "0x5" is no number; "5 apples" is text
			expect(await shown({ field: 'profile.orders', operator: 'equals', value: '5' }, ['5.0', '05', 5, '0x5', '5 apples'])).toEqual([['first'], ['first'], ['first'], ['other'], ['other']]);
			// more than 10: 16 and 100 are; hexadecimal "0x10" is no number (it was 16)
			expect(await shown({ field: 'profile.orders', operator: 'gt', value: 10 }, ['0x10', ' 16 ', '1e2'])).toEqual([['other'], ['first'], ['first']]);
		});

		it('in with one value instead of a list fails every item, naming the block and the rule (it never held)', async () => {
			const one = [{ json: { country: 'FR', unsubscribe_url: u } }, { json: { country: 'DE', unsubscribe_url: u } }];
			const message = 'Item 0: Block "first": the rule (field "country", operator "in") needs "value" to be a list, e.g. ["FR", "BE"] (got "FR")';
			const strict = await runWorkflow(workflow(p({ field: 'country', operator: 'in', value: 'FR' })), { input: one });
			expect(strict.error?.message).toBe(message);
			const lenient = await runWorkflow(workflow(p({ field: 'country', operator: 'in', value: 'FR' }), { continueOnFail: true }), { input: one });
			const out = lenient.items('Render Email');
			// Render Email's Continue On Fail items keep the input fields, with the error naming its item
			const reason = message.replace('Item 0: ', '');
			expect(out.map((i) => [i.json, i.pairedItem])).toEqual([
				[{ ...one[0].json, error: `Item 0: ${reason}` }, { item: 0 }],
				[{ ...one[1].json, error: `Item 1: ${reason}` }, { item: 1 }],
			]);
		});
	});

	it('version 1.1\'s starter reads Get Profile\'s profile.traits.first_name and RFM\'s segment, and still the flat shape (FIT-9)', async () => {
		const input = [
			{ profile: { traits: { first_name: 'Ada' } }, segment: 'Champions' }, // Get Profile + RFM
			{ profile: { first_name: 'Bo', segment: 'VIP' } }, // the flat shape of version 1's starter
			{ profile: { first_name: 'Cy', segment: 'vip', traits: {} }, segment: 'Lost' },
			{ profile: null, segment: 'At Risk' },
		].map((json) => ({ json: { ...json, unsubscribe_url: 'https://x.test/u' } }));
		const v11 = await runWorkflow(workflow({ operation: 'render', subject: 'Hello' }, { typeVersion: 1.1 }), { input });
		expect(v11.error).toBeUndefined();
		const out = v11.items('Render Email').map((i) => i.json.message as IDataObject);
		expect(out.map((m) => String(m.text).match(/Hi [^,]+,/)?.[0])).toEqual(['Hi Ada,', 'Hi Bo,', 'Hi Cy,', 'Hi there,']);
		expect(out.map((m) => m.blocks_shown)).toEqual([['offer'], ['offer'], ['offer'], ['offer_default']]);
		expect(String(out[0].text)).toContain('Your VIP early access starts today.');
		expect(String(out[3].text)).toContain('Our new season is here.');
		// version 1 keeps its starter (saved workflows): no traits, no top-level segment
		const v1 = await runWorkflow(workflow({ operation: 'render', subject: 'Hello' }), { input: input.slice(0, 1) });
		const old = v1.items('Render Email')[0].json.email as IDataObject;
		expect(String(old.text)).toContain('Hi there,');
		expect(old.blocks_shown).toEqual(['offer_default']);
	});

	it('hostile URL pieces, numbered lists in the text part, and a hidden unsubscribe link in lint (HTML format)', async () => {
		const htmlBody =
			'<html><body><p>Hi {{ name }}</p><ol start="3">{% for s in steps %}<li>{{ s }}</li>{% endfor %}</ol>' +
			'<p><a href="{{ a }}{{ b }}">Track</a> <a href="{% echo c %}">Help</a></p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>';
		const p = { ...params, format: 'html', body: htmlBody, blocks: '[]', preheader: 'p' };
		const recipient = { name: 'Ada', steps: ['Open', 'Pick'], a: '', b: 'javascript:alert(1)', c: 'JavaScript:alert(2)', unsubscribe_url: 'https://shop.example.com/u/ada' };
		const safe = { ...recipient, a: 'java', b: 'script:alert(1)' };
		const result = await runWorkflow(workflow(p), { input: [{ json: recipient }, { json: safe }] });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of out) {
			const email = item.json.email as IDataObject;
			const hrefs = links(dom(email.html as string)).map((a) => a.attribs.href);
			expect(hrefs).toEqual(['#', '#', 'https://shop.example.com/u/ada']);
			expect(email.text as string).toContain('3. Open\n4. Pick');
			expect((email.text as string).toLowerCase()).not.toContain('script:');
		}
		const hidden = htmlBody.replace('<p><a href="{{ unsubscribe_url }}">', '<p style="display:none"><a href="{{ unsubscribe_url }}">');
		const lint = await runWorkflow(workflow({ ...p, operation: 'lint', body: hidden }), { input: [{ json: recipient }] });
		const checks = ((lint.items('Render Email')[0].json.findings as IDataObject[]) ?? []).map((f) => `${f.severity}:${f.check}`);
		expect(checks).toContain('error:unsubscribe-link');
		const visible = await runWorkflow(workflow({ ...p, operation: 'lint' }), { input: [{ json: recipient }] });
		expect(((visible.items('Render Email')[0].json.findings as IDataObject[]) ?? []).map((f) => f.check)).not.toContain('unsubscribe-link');
	});

	it('a <base> tag the data writes through | raw fails that recipient only, naming the item and the field (URL guard review 6)', async () => {
		const htmlBody = '<html><body><p>{{ profile.bio | raw }}</p><a href="account">Your account</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';
		const u = 'https://shop.example.com/u/x';
		const input = [
			{ json: { profile: { bio: '<b>Hi</b>' }, unsubscribe_url: u } },
			{ json: { profile: { bio: 'Hi <BASE href="https://evil.example/">' }, unsubscribe_url: u } },
		];
		const parameters = { ...params, format: 'html', body: htmlBody, blocks: '[]', preheader: 'p' };
		const message = 'Item 1: The data writes a <base> tag (field "profile.bio"), which would send every relative link and image of the email to the address it names: the template writes that value unescaped (| raw or HTML escaping off). Remove the <base> from the data';
		const strict = await runWorkflow(workflow(parameters), { input });
		expect(strict.error?.message).toBe(message);
		const lenient = await runWorkflow(workflow(parameters, { continueOnFail: true }), { input });
		const out = lenient.items('Render Email');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(((out[0].json.email as IDataObject).html as string)).toContain('<p><b>Hi</b></p><a href="account">');
		expect(out[1].json).toEqual({ ...input[1].json, error: message });
	});

	it('lint: one report item paired with every input, severities per finding', async () => {
		const lintParams = {
			...params,
			operation: 'lint',
			body: body.replace('{% render \'footer\' %}', '<mj-section><mj-column><mj-image src="http://cdn.example.com/a.png" /><mj-text>{{ profile.nickname }} {% if x %}</mj-text></mj-column></mj-section>'),
		};
		const result = await runWorkflow(workflow(lintParams), { input: [{ json: ada }, { json: noCart }] });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email');
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		const report = out[0].json as IDataObject;
		expect(report.ok).toBe(false);
		const findings = report.findings as Array<IDataObject>;
		const syntax = findings.find((f) => f.check === 'liquid-syntax');
		expect(syntax).toMatchObject({ severity: 'error', source: 'body', line: 25 });
		const fixed = await runWorkflow(workflow({ ...lintParams, body: lintParams.body.replace(' {% if x %}', '') }), { input: [{ json: ada }] });
		const checks = ((fixed.items('Render Email')[0].json.findings as IDataObject[]) ?? []).map((f) => `${f.severity}:${f.check}`);
		expect(checks).toEqual(expect.arrayContaining(['error:unsubscribe-link', 'warning:image-alt', 'warning:https-links', 'warning:missing-variable']));
	});
});
