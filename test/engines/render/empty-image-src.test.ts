/**
 * emptyImageSrcFinding: the images of a rendered email whose src is empty however the HTML writes
 * it (a browser strips leading and trailing blanks from a URL and decodes references first), each
 * named by its alt, else its position among the email's images; commented-out images are not read.
 */
import { emptyImageSrcFinding } from '../../../nodes/engines/render/checks';

const named = (html: string) => emptyImageSrcFinding(html)?.message.replace(/^\d+ image\(s\) with an empty src, shown broken: /, '').replace(/\. Give .*$/, '');

describe('emptyImageSrcFinding', () => {
	it.each([
		['<img src="" alt="a">', '"a"'],
		['<img src="  " alt="b">', '"b"'],
		["<IMG SRC = '' ALT='c'>", '"c"'],
		['<img src="&#32;&#10;" alt="d">', '"d"'],
		['<img src=&#32; alt="e">', '"e"'],
		['<img alt="" src="">', 'image 1 (no alt)'],
		['<img src="https://cdn.example/1.png" alt="x"><img src="" alt=" "><img src="">', 'image 2 (no alt), image 3 (no alt)'],
	])('%s → %s', (html, expected) => {
		expect(named(html)).toBe(expected);
	});

	it.each([
		['<img src="https://cdn.example/1.png" alt="x">'],
		['<img data-src="" src="https://cdn.example/1.png" alt="x">'],
		['<img src="&#104;ttps://cdn.example/1.png" alt="x">'],
		['<!-- <img src="" alt="old"> --><img src="https://cdn.example/1.png" alt="x">'],
		['<p>src="" is written here as text</p>'],
	])('%s: nothing to report', (html) => {
		expect(emptyImageSrcFinding(html)).toBeUndefined();
	});

	it('an MSO conditional comment is read (Outlook shows its images)', () => {
		expect(named('<!--[if mso]><img src="" alt="Outlook hero"><![endif]-->')).toBe('"Outlook hero"');
	});
});
