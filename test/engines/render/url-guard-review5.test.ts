/**
 * URL guard review 5: the gaps left open by review 4 (README "Not covered"). Each hostile template
 * is rendered with hostile data, or must be refused at compile time naming the construct; what
 * renders is parsed by parse5 (the WHATWG tree builder, scripting on as in an email's web
 * version), which must find no href/src/action with a javascript:, vbscript: or data: scheme and
 * no event handler attribute. Expectations by hand:
 * - liquidjs skips the output escape when the last filter is `raw`, arguments or not (Output: the
 *   filter's `raw` flag), so `{{ '<a href="' | raw: 1 }}` writes `<a href="`;
 * - `{% capture %}` stores its body as rendered (static text as written); `{{ [k] }}` and
 *   `{{ ['q'] }}` read the variable the key names;
 * - `slice`, `truncate`, `remove`, `replace`, `first` (the first character of a string), `json`
 *   (adds quotes), `date` (its format: `%a` is the day's name) write other characters than their
 *   literal shows: `'<a href="x">' | slice: 0, 9` is `<a href="`;
 * - in foreign content (<svg>, <math>) `<![CDATA[` starts a CDATA section up to `]]>`, `<style>`
 *   holds markup, a <p> start tag breaks out to HTML, and an end tag that names no open element
 *   (`</svg>` inside <math>) is ignored (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inforeign).
 */
import { guardOutcome as outcome, guardRender as render, JS, live } from '../../harness/url-guard';

describe('1. unescaped writes the guard did not trace', () => {
	it.each([
		// each rendered <a … href="javascript:alert(1)"> before (the guard took the writer for an escaped one, or never saw the literal)
		['`| raw` with an argument opens a link', `{{ '<a href="' | raw: 1 }}{{ u }}">Go</a>`, /\{\{ '<a href="' \| raw: 1 \}\}.*literal written without escaping/],
		['`| raw` with an argument closes a title', `<a title="{{ '" href="' | raw: 'x' }}{{ u }}">Go</a>`, /literal written without escaping/],
		['a captured quote written raw in a title', `{% capture q %}" href="{% endcapture %}<a title="{{ q | raw }}{{ u }}">Go</a>`, /\{% capture q %\}.*The text this capture holds \("" href=""\).*Write that HTML in the template itself, where the captured text is used/],
		['a captured <noscript> written raw', `{% capture x %}<noscript>{% endcapture %}{{ x | raw }}<p title="</noscript><a href={{ u }}>">x</p>`, /\{% capture x %\}.*capture holds \("<noscript>"\)/],
		['a raw echo inside {% liquid capture %}', `{% liquid capture q\n echo '" href="' | raw\n endcapture %}<a title="{{ q | raw }}{{ u }}">Go</a>`, /liquid capture q[\s\S]*literal written without escaping/],
		['an assigned quote read by a dynamic lookup with a literal key', `{% assign q = '" href="' %}<a title="{{ ['q'] | raw }}{{ u }}">Go</a>`, /assign q.*dynamic lookup/],
		['an assigned quote read by a dynamic lookup the data keys', `{% assign q = '" href="' %}<a title="{{ [k] | raw }}{{ u }}">Go</a>`, /assign q.*dynamic lookup/],
		['a raw capture in a title holding a raw writer of an assigned quote', `{% assign q = '" href="' %}{% capture c %}{{ q | raw }}{% endcapture %}<a title="{{ c | raw }}{{ u }}">Go</a>`, /assign q.*literal written without escaping/],
	])('%s: refused', async (_name, body, refusal) => {
		expect(await outcome(body, { u: JS, k: 'q' }, refusal)).toBe('refused');
	});

	it('a capture written raw inside <svg> is read there: a CDATA section in it is refused', async () => {
		// read from text, the capture was a bogus comment up to the first ">" and a closed <g>; in <svg> the browser reads a CDATA
		// section up to "]]>", then an <a> whose title holds the template's quote: href={{ u }} became the link
		const body = `{% capture c %}<![CDATA[><g title="]]><a title=">{% endcapture %}<svg>{{ c | raw }}" href={{ u }}>Go</a></svg>`;
		expect(await outcome(body, { u: JS }, /CDATA section inside \(or after\) <svg>/)).toBe('refused');
	});

	it('captures and dynamic lookups of ordinary templates render as written', async () => {
		const body =
			`{% capture badge %}<span class="badge">{{ tier }}</span>{% endcapture %}{% capture label %}{{ tier }} member{% endcapture %}{% capture link %}https://shop.example/p/{{ id }}?src=email{% endcapture %}` +
			`{% assign greeting = 'Hello there' %}<p>{{ badge | raw }} {{ [key] }}</p><a href="{{ link | raw }}" title="{{ label | upcase | raw }}">Shop</a><img alt={{ link | raw }} src="https://cdn.example/x.png">`;
		// by hand: the captures as written with the data escaped, [key] reads greeting (escaped, written as is)
		expect(await render(body, { tier: 'Gold & Co', id: '42', key: 'greeting' })).toBe(
			'<p><span class="badge">Gold &amp; Co</span> Hello there</p><a href="https://shop.example/p/42?src=email" title="GOLD &AMP; CO MEMBER">Shop</a><img alt=https://shop.example/p/42?src=email src="https://cdn.example/x.png">',
		);
	});
});

describe('2. filters that cut or change a literal written raw', () => {
	it.each([
		['slice', `{{ '<a href="x">' | slice: 0, 9 | raw }}{{ u }}">Go</a>`, 'slice'],
		['truncate', `{{ '<a href="https://shop.example/">' | truncate: 9, '' | raw }}{{ u }}">Go</a>`, 'truncate'],
		['remove', `{{ '<a href="x">' | remove: 'x">' | raw }}{{ u }}">Go</a>`, 'remove'],
		['replace', `{{ '<a href=Qx>' | replace: 'Qx>', '"' | raw }}{{ u }}">Go</a>`, 'replace'],
		['first (a string\'s first character)', `<p>{{ '<b>' | first | raw }}a href={{ u }}>Go</a></p>`, 'first'],
		['json (adds quotes)', `<a title="{{ ' href=' | json | raw }}{{ u }}">Go</a>`, 'json'],
		['date (its format: %a is the day\'s name)', `{{ 'now' | date: '<%a title="' | raw }}" href={{ u }}>Go</a>`, 'date'],
		['an assigned literal sliced where it is written', `{% assign open = '<a href="x">' %}{{ open | slice: 0, 9 | raw }}{{ u }}">Go</a>`, 'slice'],
		['an assigned literal sliced where it is assigned', `{% assign open = '<a href="x">' | slice: 0, 9 %}{{ open | raw }}{{ u }}">Go</a>`, 'slice'],
		['a captured element sliced', `{% capture open %}<a href="x">{% endcapture %}{{ open | slice: 0, 9 | raw }}{{ u }}">Go</a>`, 'slice'],
		['escaping off', `{{ '<a href="x">' | slice: 0, 9 }}{{ u }}">Go</a>`, 'slice'],
		// `first` picks the first piece whole (review 6): `slice` is the filter that cuts it
		['a split piece sliced', `{% assign parts = '<a href="x">|y' | split: '|' %}{{ parts | first | slice: 0, 9 | raw }}{{ u }}">Go</a>`, 'slice'],
	])('%s: refused, naming the filter', async (name, body, filter) => {
		const refusal = new RegExp(`goes through the filter "${filter}", which can cut it or change its characters.*Apply "${filter}" to the data`);
		expect(await outcome(body, { u: JS }, refusal, name !== 'escaping off')).toBe('refused');
	});

	it('url_decode on an assigned literal: it may become any character', async () => {
		const body = `{% assign x = '%22 href=%22' %}<a title="{{ x | url_decode | raw }}{{ u }}">Go</a>`;
		expect(await outcome(body, { u: JS }, /\{% assign x = '%22 href=%22' %\}.*decoding filter may turn into any character/)).toBe('refused');
	});

	it('filters on ordinary literals render as written', async () => {
		const year = String(new Date().getUTCFullYear());
		// escaping off: a date format, a default cut by truncate, a capitalized default, a kept suffix
		const off = `<p>© {{ 'now' | date: '%Y' }} {{ name | default: 'dear customer' | truncate: 7, '' }} {{ city | default: 'paris' | capitalize }}</p><a href="{{ url | append: '?utm_source=email' | replace: ' ', '%20' }}">Shop</a>`;
		expect(await render(off, { url: 'https://shop.example/a b' }, false)).toBe(`<p>© ${year} dear cu Paris</p><a href="https://shop.example/a%20b?utm_source=email">Shop</a>`);
		// raw: an HTML literal appended after truncate, an upcased badge, an HTML literal joined whole
		const raw =
			`<p>{{ desc | truncate: 12, '…' | append: ' <b>New</b>' | raw }} {{ '<b>sale</b>' | upcase | raw }} {{ 'a,b' | split: ',' | join: '<br>' | raw }}</p>` +
			`{% assign badges = '<b>New</b>|<i>Hot</i>' | split: '|' %}<p>{% for b in badges %}{{ b | raw }}{% endfor %}</p>`;
		// by hand: truncate keeps 12 characters with the ellipsis counted (11 + "…"); split's pieces are written whole
		expect(await render(raw, { desc: 'A very long description' })).toBe('<p>A very long… <b>New</b> <B>SALE</B> a<br>b</p><p><b>New</b><i>Hot</i></p>');
	});
});

describe('3. foreign content the guard left too early', () => {
	it.each([
		['</svg> inside <math> (ignored by the browser)', '<math></svg><style><p><a href="{{ u }}">Go</a></style></math>'],
		['</math> inside <svg>', '<svg></math><style><p><a href="{{ u }}">Go</a></style></svg>'],
		['more <svg> opened than the guard counted', `${'<svg>'.repeat(9)}${'</svg>'.repeat(8)}<style><p><a href="{{ u }}">Go</a></style>`],
		['</svg> while an HTML element is open in <foreignObject>', '<svg><foreignObject><div></svg></div></foreignObject><style><p><a href="{{ u }}">Go</a></style></svg>'],
	])('%s: a "<" in a later <style> is refused', async (_name, body) => {
		// CSS-escaped data with no "(": a javascript: URL the former guard wrote as CSS, which the browser made a link
		expect(await outcome(body, { u: 'javascript:alert`1`' }, /A "<" inside <style> in \(or after\) <svg> or <math>/)).toBe('refused');
	});

	it('a raw literal is read as the browser reads it where it stands: a CDATA section in <svg>', async () => {
		const body = `<svg>{{ '<![CDATA[><g title="]]><a title=">' | raw }}" href={{ u }}>Go</a></svg>`;
		expect(await outcome(body, { u: JS }, /literal written without escaping/)).toBe('refused');
	});

	it('an inline svg icon, and a style before it, still render', async () => {
		const body = '<style>a > b { color: red; }</style><svg width="16" height="16"><title>Star</title><path d="M8 0l2 6z"/></svg><a href="{{ u }}">Go</a><style>.x { color: blue; }</style>';
		expect(await render(body, { u: 'https://shop.example/' })).toBe(
			'<style>a > b { color: red; }</style><svg width="16" height="16"><title>Star</title><path d="M8 0l2 6z"/></svg><a href="https://shop.example/">Go</a><style>.x { color: blue; }</style>',
		);
	});
});

describe('4. data that names a function or writes script', () => {
	it('a function name from the data before a "(" the template writes is checked with it (CSS)', async () => {
		// `url` + the template's "(" would load a URL of the data's choosing, which data is not allowed to add in CSS (CSS_DATA)
		const body = '<div style="background:{{ f }}(https://cdn.example/a.png)">x</div><style>.b { background: {{ f }}{% if on %}{% endif %}(https://cdn.example/b.png) }</style>';
		expect(await render(body, { f: 'url', on: true })).toBe('<div style="background:(https://cdn.example/a.png)">x</div><style>.b { background: (https://cdn.example/b.png) }</style>');
		expect(await render(body, { f: 'image-set' })).toBe('<div style="background:(https://cdn.example/a.png)">x</div><style>.b { background: (https://cdn.example/b.png) }</style>');
		// functions CSS values use pass, and so does a name followed by a space (no function there)
		const gradient = '<td style="background:{{ f }}(#fff, #000)">x</td><td style="font-family:{{ f }} (x)">y</td>';
		expect(await render(gradient, { f: 'linear-gradient' })).toBe('<td style="background:linear-gradient(#fff, #000)">x</td><td style="font-family:linear-gradient (x)">y</td>');
		expect(await render(gradient, { f: 'url' })).toBe('<td style="background:(#fff, #000)">x</td><td style="font-family:url (x)">y</td>');
	});

	it.each([
		// each was live script (parse5 finds the handler or the javascript: href) with `');alert(1);('`:
		// a browser decodes &#39; back to a quote before it runs an attribute's script
		['an event handler quoting the data', `<a href="https://shop.example/" onclick="track('{{ id }}')">Go</a>`, /\{\{ id \}\} \(in onclick\): Liquid in the event handler "onclick".*remove the attribute/],
		['an unquoted event handler', '<img src="https://cdn.example/x.png" onerror={{ id }}>', /event handler "onerror"/],
		['a javascript: URL the template writes', `<a href="javascript:track('{{ id }}')">Go</a>`, /\(in href="javascript:…"\): Liquid inside a javascript: URL the template writes.*Write an http\(s\) link/],
		['a javascript: URL written with a character reference', `<a href="java&#115;cript:track('{{ id }}')">Go</a>`, /javascript: URL the template writes/],
		['a script', `<script>track('{{ id }}');</script>`, /\(in <script>\): Liquid inside <script>.*application\/ld\+json/],
		['a script with a JavaScript type', `<script type="text/javascript">var n = {{ id }};</script>`, /Liquid inside <script>/],
	])('%s: refused', async (_name, body, refusal) => {
		expect(await outcome(body, { id: "');alert(1);('" }, refusal)).toBe('refused');
	});

	it('what the refusals prevent: the former renders ran the data as script', () => {
		// the HTML each rendered before, escaped as Render Email escapes
		expect(live(`<a href="https://shop.example/" onclick="track('&#39;);alert(1);(&#39;')">Go</a>`)).toEqual([`a onclick=track('');alert(1);('')`, `h2 a onclick=track('');alert(1);('')`]);
		expect(live(`<a href="javascript:track('&#39;);alert(1);(&#39;')">Go</a>`)).toEqual([`a href=javascript:track('');alert(1);('')`, `h2 a href=javascript:track('');alert(1);('')`]);
	});

	it('schema.org data in <script type="application/ld+json">, and Liquid outside scripts and handlers, still render', async () => {
		const body = '<script type="application/ld+json">{"@type": "Order", "orderNumber": "{{ order }}"}</script><a href="https://shop.example/o/{{ order }}" title="{{ order }}">Order</a>';
		expect(await render(body, { order: 'A-17' })).toBe('<script type="application/ld+json">{"@type": "Order", "orderNumber": "A-17"}</script><a href="https://shop.example/o/A-17" title="A-17">Order</a>');
	});
});
