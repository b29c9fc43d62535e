/**
 * Whether an HTML template has its own preview line (then the Preheader parameter's hidden line is
 * not added) and the line reported for each recipient are read by one scan, so they cannot
 * disagree. Before, the compile-time check blanked comments with its own pattern and stripped tags
 * without reading visibility, while the per-recipient line was read as the parser and the text part
 * read it; on the templates below the parameter's line was left out (no preview line at all, and
 * "the preheader rendered empty" on every render) or added beside the template's own line.
 * Comments as the HTML parser reads them: https://html.spec.whatwg.org/multipage/parsing.html#comment-start-state
 * (`<!-->` is a whole comment; a comment without `-->` runs to the end of the document).
 * Expected values written by hand.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></p>';
const page = (pre: string, tail = '') => `<!doctype html><html><head><title>t</title></head><body>${pre}<p>Hi</p>${UNSUB}${tail}</body></html>`;
const render = async (body: string) => {
	const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'Param line' });
	return renderCompiled(ct, {});
};
const previewLines = (html: string) => html.split('Param line').length - 1;

describe('HTML preview line: one scan decides and reports it', () => {
	it('an element of class preheader whose content is hidden shows no line: the parameter line is added and reported', async () => {
		const r = await render(page('<div class="preheader"><span style="display:none">Old teaser</span></div>'));
		expect(previewLines(r.html)).toBe(1);
		expect(r.preheader).toBe('Param line');
		expect(r.warnings.filter((w) => w.startsWith('preheader:'))).toEqual([]);
	});

	it('an element of class preheader in a comment left open (to the end) is no line: the parameter line is added', async () => {
		const r = await render(page('<div class="preheader">Old</div>').replace('<div class="preheader">', '<!-- <div class="preheader">'));
		expect(previewLines(r.html)).toBe(1);
		expect(r.preheader).toBe('Param line');
	});

	it('an element of class preheader after a `<!-->` comment is the line: the parameter line is not added', async () => {
		const r = await render(page('<!--><div class="preheader">Sale today</div>', '<!-- footer -->'));
		expect(previewLines(r.html)).toBe(0);
		expect(r.preheader).toBe('Sale today');
	});

	it('a line with text is found and reported the same way (unchanged)', async () => {
		const r = await render(page('<div class="preheader" style="display:none">Sale &amp; more</div>'));
		expect(previewLines(r.html)).toBe(0);
		expect(r.preheader).toBe('Sale & more');
	});
});
