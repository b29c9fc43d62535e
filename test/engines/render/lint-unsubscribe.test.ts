/**
 * Lint's unsubscribe check counts only a link a reader can see and whose text or URL really
 * unsubscribes. Hidden links (display:none, visibility:hidden, opacity:0, mso-hide:all, the
 * `hidden` attribute, a zero-size box with overflow hidden, font-size 0, no text at all) and
 * "manage preferences" links do not satisfy it. Cases hand-written from how browsers render
 * (CSS display/visibility/overflow; HTML `hidden`: https://html.spec.whatwg.org/multipage/interaction.html#the-hidden-attribute)
 * and from the ESPs' merge tags: Mailchimp *|UNSUB|* (http://kb.mailchimp.com/tag/unsubscribe),
 * Mailgun %unsubscribe_url% (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages),
 * SendGrid <%asm_group_unsubscribe_raw_url%> / <%asm_global_unsubscribe_raw_url%>
 * (https://www.twilio.com/docs/sendgrid/ui/sending-email/global-unsubscribes); SendGrid's
 * <%asm_preferences_raw_url%> is its "Manage Email Preferences" page
 * (https://www.twilio.com/docs/sendgrid/ui/sending-email/recipient-subscription-preferences).
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const page = (inner: string) => `<html><body><p>Hello {{ name }}</p>${inner}</body></html>`;
async function unsubscribeError(inner: string, sample: Record<string, unknown> = {}): Promise<boolean> {
	const report = await lintTemplate({ format: 'html', body: page(inner), subject: 'Hi', preheader: 'p' }, { name: 'Ada', ...sample });
	return report.findings.some((f) => f.check === 'unsubscribe-link' && f.severity === 'error');
}
const U = 'https://shop.example/email/unsubscribe?u=1';

describe('lint unsubscribe-link: hidden links do not count', () => {
	it.each([
		['an ancestor with display:none', `<div style="display:none"><a href="${U}">Unsubscribe</a></div>`],
		['the link with display: none', `<a href="${U}" style="color:#999; display: none">Unsubscribe</a>`],
		['visibility:hidden', `<a href="${U}" style="visibility:hidden">Unsubscribe</a>`],
		['opacity:0', `<span style="opacity:0"><a href="${U}">Unsubscribe</a></span>`],
		['mso-hide:all', `<div style="mso-hide:all"><a href="${U}">Unsubscribe</a></div>`],
		['the hidden attribute on the link', `<a href="${U}" hidden>Unsubscribe</a>`],
		['the hidden attribute on an ancestor', `<p hidden class="x"><a href="${U}">Unsubscribe</a></p>`],
		['a zero-height box with overflow hidden', `<div style="max-height:0px;overflow:hidden"><a href="${U}">Unsubscribe</a></div>`],
		['a zero-width link with overflow hidden', `<a href="${U}" style="width:0;overflow:hidden;display:inline-block">Unsubscribe</a>`],
		['font-size 0 on the link', `<a href="${U}" style="font-size:0">Unsubscribe</a>`],
		['no text and no image (zero size)', `<a href="${U}"></a>`],
		['the word only in hidden text of a visible link', '<a href="https://shop.example/account"><span style="display:none">Unsubscribe</span>My account</a>'],
		['an image-only link whose image is hidden', `<a href="${U}"><img src="https://cdn.example/u.png" alt="Unsubscribe" style="display:none"></a>`],
		['an image-only link whose image has the hidden attribute', `<a href="${U}"><img hidden src="https://cdn.example/u.png" alt="Unsubscribe"></a>`],
	])('%s', async (_name, inner) => {
		expect(await unsubscribeError(inner)).toBe(true);
	});
});

describe('lint unsubscribe-link: preference links are not unsubscribe links', () => {
	it.each([
		['Manage preferences', '<a href="https://shop.example/email/preferences">Manage preferences</a>'],
		['Update your email preferences (Liquid URL)', '<a href="{{ preferences_url }}">Update your email preferences</a>'],
		['Email settings', '<a href="https://shop.example/settings">Email settings</a>'],
		['SendGrid <%asm_preferences_raw_url%>', '<a href="<%asm_preferences_raw_url%>">Manage Email Preferences</a>'],
	])('%s', async (_name, inner) => {
		expect(await unsubscribeError(inner, { preferences_url: 'https://shop.example/p' })).toBe(true);
	});
});

describe('lint unsubscribe-link: visible unsubscribe links pass', () => {
	it.each([
		['text and URL', `<a href="${U}">Unsubscribe</a>`],
		['the URL only', `<a href="${U}">Click here</a>`],
		['the text only', '<a href="https://shop.example/e/7f3a">Unsubscribe from these emails</a>'],
		['unsubscribe beside preferences', '<a href="https://shop.example/e/7f3a">Unsubscribe or manage preferences</a>'],
		['a Liquid unsubscribe URL', '<a href="{{ unsubscribe_url }}">here</a>'],
		['Mailchimp *|UNSUB|*', '<a href="*|UNSUB|*">click here</a>'],
		['Mailgun %unsubscribe_url%', '<a href="%unsubscribe_url%">click here</a>'],
		['SendGrid <%asm_group_unsubscribe_raw_url%>', '<a href="<%asm_group_unsubscribe_raw_url%>">click here</a>'],
		['SendGrid <%asm_global_unsubscribe_raw_url%>', '<a href="<%asm_global_unsubscribe_raw_url%>">click here</a>'],
		['German', '<a href="https://shop.example/e/7f3a">Abmelden</a>'],
		['an image link with alt text', `<a href="${U}"><img src="https://cdn.example/u.png" alt="Unsubscribe" width="80" height="20"></a>`],
		['MJML layout: font-size:0px on the cell, a size again on the text', `<td style="font-size:0px;padding:10px 25px;"><div style="font-family:Arial, sans-serif;font-size:12px;"><a href="${U}">Unsubscribe</a></div></td>`],
		['a hidden preheader before a visible link', `<div style="display:none;max-height:0px;overflow:hidden;mso-hide:all;">Preview</div><a href="${U}">Unsubscribe</a>`],
		['one hidden, one visible', `<div style="display:none"><a href="${U}">Unsubscribe</a></div><p><a href="${U}">Unsubscribe</a></p>`],
		// A zero size hides only with overflow hidden: otherwise the content overflows and shows
		// (CSS overflow defaults to visible: https://www.w3.org/TR/CSS2/visufx.html#overflow).
		['a zero-height box without overflow hidden', `<div style="height:0"><a href="${U}">Unsubscribe</a></div>`],
		// "hidden" as a word elsewhere is not the hidden attribute: aria-hidden does not hide
		// visually, and an attribute value is not an attribute name.
		['aria-hidden on the link', `<a href="${U}" aria-hidden="true">Unsubscribe</a>`],
		['"hidden" inside another attribute\'s value', `<a href="${U}" title="not a hidden link">Unsubscribe</a>`],
	])('%s', async (_name, inner) => {
		expect(await unsubscribeError(inner, { unsubscribe_url: U })).toBe(false);
	});
});

it('the template-level warning on every render follows the same rule', async () => {
	const ct = await compileTemplate({ format: 'html', body: page(`<div style="display:none"><a href="${U}">Unsubscribe</a></div>`), subject: 'Hi', preheader: 'p' });
	expect(renderCompiled(ct, { name: 'Ada' }).warnings.some((w) => w.startsWith('unsubscribe-link:'))).toBe(true);
	const ok = await compileTemplate({ format: 'html', body: page(`<a href="${U}">Unsubscribe</a>`), subject: 'Hi', preheader: 'p' });
	expect(renderCompiled(ok, { name: 'Ada' }).warnings.some((w) => w.startsWith('unsubscribe-link:'))).toBe(false);
});

describe('lint unsubscribe-link: read as a browser reads the HTML', () => {
	// HTML parsing: a <p> start tag (and other block starts) ends an open <p>, a <li> ends an open
	// <li> (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody); within one
	// style attribute the last declaration of a property wins unless an earlier one is !important
	// (https://www.w3.org/TR/css-cascade-4/#cascade-order).
	it.each([
		['after an unclosed hidden <p>', `<p style="display:none">Preview text<p><a href="${U}">Unsubscribe</a></p>`],
		['after an unclosed hidden <p>, in a <div>', `<p style="display:none">Preview text<div><a href="${U}">Unsubscribe</a></div>`],
		['after an unclosed hidden <li>', `<ul><li style="display:none">Preview<li><a href="${U}">Unsubscribe</a></ul>`],
		['display:none overridden by a later display', `<a href="${U}" style="display:none; display:inline">Unsubscribe</a>`],
		['font-size:0 overridden by a later font-size', `<a href="${U}" style="font-size:0; font-size:12px">Unsubscribe</a>`],
	])('visible: %s', async (_name, inner) => {
		expect(await unsubscribeError(inner)).toBe(false);
	});

	it.each([
		['inside a hidden <p> (a <span> does not end it)', `<p style="display:none">Preview <span><a href="${U}">Unsubscribe</a></span></p>`],
		['a hidden <li> holding a nested list', `<ul><li style="display:none"><ul><li><a href="${U}">Unsubscribe</a></ul></ul>`],
		['display:none !important before a later display', `<a href="${U}" style="display:none !important; display:inline">Unsubscribe</a>`],
		['visibility:visible then visibility:hidden', `<a href="${U}" style="visibility:visible;visibility:hidden">Unsubscribe</a>`],
	])('hidden: %s', async (_name, inner) => {
		expect(await unsubscribeError(inner)).toBe(true);
	});
});
