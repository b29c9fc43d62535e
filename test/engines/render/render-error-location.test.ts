/**
 * Review 6 F5: a render-time error (a filter failing on a recipient's value, a missing value in
 * strict mode) names the source the marketer wrote (`body`, `subject`, `block:<name>`), its line
 * and column there and the Liquid token as written, not liquidjs's `line:7, col:31` in the compiled
 * HTML (blocks inlined, MJML compiled). Positions counted by hand in the sources below.
 */
import { compileTemplate, renderCompiled, type Block, type TemplateInput } from '../../../nodes/engines/render';

function failure(ct: Awaited<ReturnType<typeof compileTemplate>>, data: Record<string, unknown>, skipText = false): string {
	try {
		renderCompiled(ct, data, { skipText });
	} catch (e) {
		return (e as Error).message;
	}
	throw new Error('rendered');
}

const cartBlock: Block = { name: 'cart', rule: 'cart', content: '<p>Your cart</p>\n<p>Total {{ cart.total | money: cart.currency }}</p>' };
const data = { cart: { total: 3, currency: 'EURO' }, email: 'ada@example.com', token: 'tok_9f8e7d' };
const moneyError = 'money: unknown currency "EURO" or locale "en-US" (use an ISO 4217 code such as "EUR" and a locale such as "fr-FR")';

describe('render errors name the block, line, column and token', () => {
	it.each([false, true])('HTML, blocks inlined after a 4-line block, preheader and <title> written by the compile (skipText %s)', async (skipText) => {
		const blocks: Block[] = [{ name: 'header', content: '<div>\n<p>Logo</p>\n<p>Nav</p>\n</div>' }, cartBlock];
		const body = "<html><head><title></title></head><body>\n{% render 'header' %}\n<p>Hi</p>\n{% render 'cart' %}\n</body></html>";
		const ct = await compileTemplate({ format: 'html', body, subject: 'Hi', preheader: 'New picks', blocks });
		expect(failure(ct, data, skipText)).toBe(`block:cart line 2, column 10 ({{ cart.total | money: cart.currency }}): ${moneyError}`);
	});

	it('MJML: the block inside <mj-text>, and the body in an attribute', async () => {
		const mjml = (inner: string): TemplateInput => ({
			format: 'mjml',
			subject: 'Hi',
			preheader: 'p',
			blocks: [cartBlock],
			body: `<mjml><mj-head><mj-title></mj-title></mj-head><mj-body>\n<mj-section><mj-column>\n${inner}\n</mj-column></mj-section></mj-body></mjml>`,
		});
		expect(failure(await compileTemplate(mjml("<mj-text>{% render 'cart' %}</mj-text>")), data)).toBe(
			`block:cart line 2, column 10 ({{ cart.total | money: cart.currency }}): ${moneyError}`,
		);
		expect(failure(await compileTemplate(mjml('<mj-button href="https://shop.example/{{ cart.total | money: cart.currency }}">Go</mj-button>')), data)).toBe(
			`body line 3, column 39 ({{ cart.total | money: cart.currency }}): ${moneyError}`,
		);
	});

	it('a line of {% liquid %}, the subject, and a missing value in strict mode', async () => {
		const liquid: Block = { name: 'totals', content: '{% liquid\n  assign shown = true\n  echo cart.total | money: cart.currency\n%}' };
		const ct = await compileTemplate({ format: 'html', body: "<p>a</p>\n{% render 'totals' %}", subject: 's', blocks: [liquid] });
		expect(failure(ct, data)).toBe(`block:totals line 3, column 3 (echo cart.total | money: cart.currency): ${moneyError}`);
		const subject = await compileTemplate({ format: 'html', body: '<p>a</p>', subject: 'Your total: {{ cart.total | money: cart.currency }}' });
		expect(failure(subject, data)).toBe(`subject line 1, column 13 ({{ cart.total | money: cart.currency }}): ${moneyError}`);
		const strict = await compileTemplate({ format: 'html', body: '<p>a</p>\n<p>Hi {{ profile.first_name }}</p>', subject: 's', liquid: { strict: true } });
		expect(failure(strict, data)).toMatch(/^body line 2, column 10 \(profile\.first_name\): Missing value "profile" \(strict mode\)/);
	});

	it('no recipient data beyond what the error already named', async () => {
		const blocks: Block[] = [{ name: 'cart', content: '<p>{{ email }}: {{ cart.total | money: cart.currency | append: token }}</p>' }];
		const message = failure(await compileTemplate({ format: 'html', body: "{% render 'cart' %}", subject: 's', blocks }), data);
		expect(message).toBe(`block:cart line 1, column 17 ({{ cart.total | money: cart.currency | append: token }}): ${moneyError}`);
		expect(message).not.toMatch(/tok_9f8e7d|ada@example\.com/);
	});

	it('limit errors stay as they were (no position: where a loop stops says nothing)', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p>\n{% for i in (1..100000000) %}{{ i }}{% endfor %}</p>', subject: 's', liquid: { memoryLimit: 1000 } });
		expect(failure(ct, {})).toMatch(/^Rendering stopped by the memory limit/);
	});
});
