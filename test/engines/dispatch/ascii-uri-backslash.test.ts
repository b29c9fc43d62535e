/**
 * List-Unsubscribe in ASCII (asciiUri): a backslash ends the host of an https URL, as URL parsers
 * read it (WHATWG URL: in an http(s) URL a "\" is a path separator). Before, the host was taken
 * up to the first / ? or #, so for "https://bücher.de\abmelden?u=1" domainToASCII was given
 * "bücher.de\abmelden" and the header became <https://xn--bcher-kva.de?u=1>: the one-click POST went to
 * the home page and the recipient was not unsubscribed. Expected values: Node's WHATWG URL parser
 * on the original URL (the header must name the same resource) and the IDNA A-label by hand.
 */
import { unsubscribeHeaders } from '../../../nodes/engines/dispatch/engine';

describe('List-Unsubscribe: a backslash after an IDN host', () => {
	it('keeps the path and query after the backslash; the host as its A-label', () => {
		const url = 'https://bücher.de\\abmelden?u=1';
		const header = unsubscribeHeaders(url, undefined)['List-Unsubscribe'];
		expect(header).toBe('<https://xn--bcher-kva.de\\abmelden?u=1>');
		expect(new URL(header.slice(1, -1)).href).toBe(new URL(url).href); // https://xn--bcher-kva.de/abmelden?u=1
	});

	it('an ASCII URL with a backslash is kept exactly; a non-ASCII path after it percent-encoded', () => {
		expect(unsubscribeHeaders('https://shop.example\\u?x=1', undefined)['List-Unsubscribe']).toBe('<https://shop.example\\u?x=1>');
		expect(unsubscribeHeaders('https://shop.example\\abmelden/jörg', undefined)['List-Unsubscribe']).toBe('<https://shop.example\\abmelden/j%C3%B6rg>');
	});
});
