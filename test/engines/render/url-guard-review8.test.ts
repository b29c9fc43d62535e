/**
 * URL guard review 8: two gaps an earlier review named. Each hostile template is rendered with hostile
 * data and the output parsed by parse5 (scripting on) and htmlparser2, and by outlookLive() for
 * Outlook's reading, or it must be refused at compile time. Expectations by hand:
 * - Outlook for Windows (and IE up to 9) read `<!--[if mso]> … <![endif]-->` as a conditional comment
 *   whose content is HTML; what decides it is `[if` right after `<!--`
 *   (https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/compatibility/ms537512(v=vs.85)).
 *   A comment's text is never decoded (https://html.spec.whatwg.org/multipage/parsing.html#comment-state):
 *   `<!--&#91;if mso]>` is a plain comment to every reader, and shows nothing either way.
 */
import { guardOutcome as outcome, guardRender as render, JS, live, outlookLive } from '../../harness/url-guard';

describe('1. data that writes a conditional comment\'s "[if" right after the template\'s "<!--"', () => {
	const LINK = '<a href="{{ u }}">Book a call</a><![endif]-->';
	it.each([
		['the whole opener', `<!--{{ note }}>${LINK}`, '[if mso]'],
		['the opener but its "]"', `<!--{{ note }}]>${LINK}`, '[if mso'],
		['in capitals', `<!--{{ note }}>${LINK}`, '[IF MSO]'],
		['after "<!--[" the template writes', `<!--[{{ note }}]>${LINK}`, 'if mso'],
		['after "<!--[i" the template writes', `<!--[i{{ note }} mso]>${LINK}`, 'f'],
		['a "[" the template completes', `<!--{{ note }}if mso]>${LINK}`, '['],
		['after a Liquid tag that writes nothing', `<!--{% if c %}{% endif %}{{ note }}>${LINK}`, '[if mso]'],
		['after an output written empty', `<!--{{ e }}{{ note }}>${LINK}`, '[if mso]'],
	])('%s: Outlook reads no link the guard did not check', async (_name, body, note) => {
		expect(await outcome(body, { note, u: JS, c: true, e: '' }, /^$/, true, outlookLive)).toBe('rendered');
	});

	it('the "[" is written as a character reference: a plain comment to browsers and to Outlook', async () => {
		// by hand: "[" is U+005B (91); the rest of the comment as the template and data write it
		expect(await render(`<!--{{ note }}>${LINK}`, { note: '[if mso]', u: JS })).toBe('<!--&#91;if mso]><a href="javascript:alert(1)">Book a call</a><![endif]-->');
	});

	it('what it prevents: the former render was a conditional comment with a live link for Outlook', () => {
		expect(outlookLive('<!--[if mso]><a href="javascript:alert(1)">Book a call</a><![endif]-->')).toEqual(['mso a href=javascript:alert(1)', 'mso h2 a href=javascript:alert(1)']);
	});

	it('ordinary data in comments, right after "<!--" too, renders as written', async () => {
		const body = '<!--{{ id }}--><!--{{ tag }} --><!--[{{ word }}]--><!-- {{ note }} -->';
		expect(await render(body, { id: 'c-42', tag: '[draft] spring', word: 'ignore', note: '[if mso]' })).toBe('<!--c-42--><!--[draft] spring --><!--[ignore]--><!-- [if mso] -->');
	});

	it('the template\'s own conditional comments, with data in them, render as before', async () => {
		const body = '<!--[if mso]><v:roundrect href="{{ u }}"><center>{{ label }}</center></v:roundrect><![endif]--><!--{% if a %}[if mso]>{% endif %}<p>{{ id }}</p><![endif]-->';
		expect(await render(body, { u: 'https://shop.example/', label: 'Shop', id: 'c-42', a: true })).toBe(
			'<!--[if mso]><v:roundrect href="https://shop.example/"><center>Shop</center></v:roundrect><![endif]--><!--[if mso]><p>c-42</p><![endif]-->',
		);
	});
});

describe('what the tests read', () => {
	it('live() finds a javascript: link (the checks above would see one)', () => {
		expect(live(`<a href="${JS}">Go</a>`)).toEqual([`a href=${JS}`, `h2 a href=${JS}`]);
	});
});
