/**
 * The output's `preheader`, when the template writes its own preview line, is that line as inboxes
 * show it: a link in it shows its text, never its URL (a preview is the message's text, and
 * htmlToText's "label (url)" form is for the text part). Before, "see the picks
 * (https://shop.example/sale?u=7)" was reported as the preview. Expected values written by hand.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';

describe('own preview line with a link: the link text only', () => {
	it('HTML: an element of class preheader holding a per-recipient link', async () => {
		const body = `<html><body><div class="preheader" style="display:none">Sale ends today, <a href="https://shop.example/sale?u={{ id }}" style="color:#fff">see the picks</a>.</div><p>Hi</p><p>${UNSUB}</p></body></html>`;
		const r = renderCompiled(await compileTemplate({ format: 'html', body, subject: 's' }), { id: 7 });
		expect(r.preheader).toBe('Sale ends today, see the picks.');
		expect(r.warnings.filter((w) => w.startsWith('preheader'))).toEqual([]);
	});

	it('MJML: an <mj-preview> holding a link', async () => {
		const body = `<mjml><mj-head><mj-preview>New in: <a href='https://shop.example/new'>linen shirts</a></mj-preview></mj-head><mj-body><mj-section><mj-column><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		expect(renderCompiled(await compileTemplate({ format: 'mjml', body, subject: 's' }), {}).preheader).toBe('New in: linen shirts');
	});
});
