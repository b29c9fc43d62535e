/**
 * The scans added for https-links (srcset, <source>, background attributes, CSS url(), VML) and for
 * the template's own preheader element read a template in linear time. A pattern `<x[^>]*>` tried
 * at every start has each start without its `>` scan to the end of the text: quadratic. Text that
 * often writes "url(" or "<a " without closing it (pasted CSS notes, a broken export) made the
 * compile of a 600 KB template take close to a minute; many empty class="preheader" elements made
 * each recipient's render scan back to the start of the email for every one of them.
 * Bounds are generous (linear runs take well under a second here); expected findings by hand.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';
const SIZE = 600_000;
const page = (junk: string) =>
	`<html><body><table background="http://cdn.example/bg.gif"><tr><td>Hi</td></tr></table><p>${UNSUB}</p><p>${junk.repeat(Math.ceil(SIZE / junk.length))}</p></body></html>`;

const timed = async <T>(run: () => Promise<T> | T): Promise<[T, number]> => {
	const t0 = Date.now();
	const result = await run();
	return [result, Date.now() - t0];
};

describe('linear scans of large templates', () => {
	it.each([
		['"url(" without ")"', 'url( '],
		['"<a " without ">"', '<a '],
		['"<source " without ">"', '<source '],
		['"<v:fill " without ">"', '<v:fill '],
		['"<img " without ">"', '<img '],
		['"<mj-preview " without ">" (an HTML template)', '<mj-preview '],
		['"<div x" without ">"', '<div x'],
	])('compiles a 600 KB HTML template full of %s in linear time, findings as before', async (_label, junk) => {
		const [ct, ms] = await timed(() => compileTemplate({ format: 'html', body: page(junk), subject: 's', preheader: 'Param line' }));
		expect(ms).toBeLessThan(4000);
		expect(ct.findingWarnings.filter((w) => w.startsWith('https-links'))).toEqual(['https-links: 1 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/bg.gif']);
		expect(renderCompiled(ct, {}).preheader).toBe('Param line');
	}, 180_000);

	it('renders an email with thousands of empty preheader elements before its preview line in linear time', async () => {
		const empties = '<span class="preheader"></span>'.repeat(Math.ceil(900_000 / 31));
		const body = `<html><body>${empties}<div class="preheader" style="display:none">Fresh picks, {{ name }}</div><p>Hi</p>${UNSUB}</body></html>`;
		const ct = await compileTemplate({ format: 'html', body, subject: 's' });
		const [r, ms] = await timed(() => renderCompiled(ct, { name: 'Ada' }));
		expect(ms).toBeLessThan(4000);
		expect(r.preheader).toBe('Fresh picks, Ada');
	}, 180_000);
});
