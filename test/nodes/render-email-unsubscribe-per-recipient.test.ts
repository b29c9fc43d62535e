/**
 * Render Email through the real n8n engine: the template's unsubscribe link is checked per
 * recipient. A template whose link is `{{ unsubscribe_url }}` passes the template-level check, but
 * a recipient without the value (or with one the URL guard replaces by `#`, or outside the
 * `{% if %}` around the link) gets an email nobody can unsubscribe from: that item says so.
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const params = {
	operation: 'render',
	format: 'html',
	subject: 'News',
	preheader: 'This week',
	body: '<html><body><p>Hi {{ name }}</p>{% if subscribed_via_form %}<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>{% endif %}</body></html>',
	blocks: '[]',
	outputField: 'message',
};

const unsubscribeWarnings = (item: IDataObject) => ((item.message as IDataObject).warnings as string[]).filter((w) => w.startsWith('unsubscribe-link'));

describe('Render Email: unsubscribe link checked per recipient', () => {
	it('warns on the recipients whose link is empty, "#" or not written, and not on the others', async () => {
		const input = [
			{ name: 'Ada', subscribed_via_form: true, unsubscribe_url: 'https://shop.example.com/u/ada' },
			{ name: 'Bo', subscribed_via_form: true },
			{ name: 'Cy', subscribed_via_form: true, unsubscribe_url: 'javascript:alert(1)' },
			{ name: 'Di', unsubscribe_url: 'https://shop.example.com/u/di' },
		];
		const result = await runWorkflow({ nodes: [node('Render Email', 'renderEmail', params)], connections: {} }, { input: input.map((json) => ({ json })) });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		const [ada, bo, cy, di] = out.map((i) => i.json);
		expect((ada.message as IDataObject).html).toContain('<a href="https://shop.example.com/u/ada">Unsubscribe</a>');
		expect(unsubscribeWarnings(ada)).toEqual([]);
		expect((bo.message as IDataObject).html).toContain('<a href="">Unsubscribe</a>');
		expect(unsubscribeWarnings(bo)).toHaveLength(1);
		expect(unsubscribeWarnings(bo)[0]).toMatch(/empty href.*set Unsubscribe URL/);
		expect((cy.message as IDataObject).html).toContain('<a href="#">Unsubscribe</a>');
		expect(unsubscribeWarnings(cy)).toHaveLength(1);
		expect(unsubscribeWarnings(cy)[0]).toMatch(/goes nowhere/);
		expect((di.message as IDataObject).html).not.toContain('Unsubscribe');
		expect(unsubscribeWarnings(di)).toHaveLength(1);
		expect(unsubscribeWarnings(di)[0]).toMatch(/^unsubscribe-link: No unsubscribe link/);
	});

	it('finds the link however it is written: upper-case tag, translated text in references, image alt, ESP merge tag', async () => {
		const bodies = [
			'<p>Hi</p><A HREF="{{ unsubscribe_url }}">Unsubscribe</A><a href="https://shop.example.com/help">Help</a>',
			'<p>Hi</p><a href="{{ unsubscribe_url }}">Se d&eacute;sinscrire</a>',
			'<p>Hi</p><a href="{{ unsubscribe_url }}"><img src="https://cdn.example.com/u.png" alt="Unsubscribe"></a>',
			'<p>Hi</p><a href="%unsubscribe_url%">Leave this list</a>',
		];
		for (const body of bodies) {
			const result = await runWorkflow(
				{ nodes: [node('Render Email', 'renderEmail', { ...params, body })], connections: {} },
				{ input: [{ json: { unsubscribe_url: 'https://shop.example.com/u/ada' } }] },
			);
			expect(result.error).toBeUndefined();
			expect([body, unsubscribeWarnings(result.items('Render Email')[0].json)]).toEqual([body, []]);
		}
	});
});
