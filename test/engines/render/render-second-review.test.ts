/**
 * Second review of the Render Email review: the preheader's place when a comment mentions
 * <body> or </head>.
 * Expected values are written by hand from the HTML and Liquid semantics.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/u/1">Unsubscribe</a></p>';
const DIV = '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;mso-hide:all;">Pre</div>';

describe('preheader: a tag written inside a comment is not where it goes', () => {
	const render = async (body: string) => {
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'Pre' });
		return renderCompiled(ct, {}).html;
	};

	it('a <body> mentioned in an HTML comment of the head: the preview line goes after the real <body>, not into the comment', async () => {
		const html = await render(`<!DOCTYPE html><html><head><!-- Outlook reads the background from <body> --></head><BODY class="x"><p>Hi</p>${UNSUB}</BODY></html>`);
		expect(html).toBe(`<!DOCTYPE html><html><head><!-- Outlook reads the background from <body> --></head><BODY class="x">${DIV}<p>Hi</p>${UNSUB}</BODY></html>`);
	});

	it('no <body>, a </head> inside a comment: after the real </head>', async () => {
		const html = await render(`<!DOCTYPE html><html><head><!-- </head> comes below --><title></title></head><p>Hi</p>${UNSUB}</html>`);
		expect(html).toBe(`<!DOCTYPE html><html><head><!-- </head> comes below --><title>s</title></head>${DIV}<p>Hi</p>${UNSUB}</html>`);
	});

	it('a <body> inside {% comment %}: after the real <body>', async () => {
		const html = await render(`{% comment %}wrap in <body>{% endcomment %}<html><body><p>Hi</p>${UNSUB}</body></html>`);
		expect(html).toBe(`<html><body>${DIV}<p>Hi</p>${UNSUB}</body></html>`);
	});
});
