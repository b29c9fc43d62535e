/**
 * The hot-path rewrites (regex-free scanners, cached keys, one-pass hashing) must behave exactly
 * like the plain definitions they replace. References here are those definitions, written out
 * independently: the documented regexes, Node's createHmac/createHash, and cyrb53 as published
 * (public domain, https://github.com/bryc/code/blob/master/jshash/experimental/cyrb53.js).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { dedupeKey } from '../../../nodes/engines/events/dedupe';
import { decode, parseSeconds, safeEqualString, signatureMatches } from '../../../nodes/engines/events/signatures/common';
import { hmacKey } from '../../../nodes/engines/events/signatures/hmac';
import { compact, contentId, header, isObject, isoOf, money, matchPair, normalizeEmail, optionalString, product, toIsoUtc } from '../../../nodes/engines/events/util';
// pairsToObject left production (addPairsAttribution reads only the pz_* pairs); its last version
// stays the definition addPairsAttribution is tested against (attribution.test.ts), checked here.
import { pairsToObject } from './reference/util';
import { getSource } from '../../../nodes/engines/events/registry';
import { contentId as formerContentId, normalizeEmail as formerNormalizeEmail, toIsoUtc as formerToIsoUtc } from './reference/util';

const refDecode = (text: string, encoding: 'base64' | 'hex'): string | null => {
	const clean = text.trim();
	if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(clean) ? Buffer.from(clean, 'hex').toString('hex') : null;
	return /^[A-Za-z0-9+/_-]+={0,2}$/.test(clean) ? Buffer.from(clean, 'base64').toString('hex') : null;
};
const refSeconds = (value: string): number => (/^\s*\d{1,12}\s*$/.test(value) ? Number(value) : Number.NaN);
const refMoney = (value: string): number | undefined => (/^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined);
const refEqual = (a: string, b: string): boolean =>
	timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest()) && a.length === b.length;

function cyrb53(str: string, seed = 0): number {
	let h1 = 0xdeadbeef ^ seed;
	let h2 = 0x41c6ce57 ^ seed;
	for (let i = 0, ch; i < str.length; i++) {
		ch = str.charCodeAt(i);
		h1 = Math.imul(h1 ^ ch, 2654435761);
		h2 = Math.imul(h2 ^ ch, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
	h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
	h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// Characters that exercise every branch: digits, hex letters, base64 symbols, padding, white space.
const chars = fc.constantFrom(...'0189aAfFgGzZ+/_-=.- \t\n\u00a0\u2028é'.split(''));
const text = fc.array(chars, { maxLength: 20 }).map((a) => a.join(''));

describe('regex-free scanners match their regex definitions', () => {
	it('decode (hex, base64/base64url)', () => {
		fc.assert(
			fc.property(text, (t) => {
				for (const encoding of ['hex', 'base64'] as const) {
					const got = decode(t, encoding);
					expect(got === null ? null : got.toString('hex')).toBe(refDecode(t, encoding));
				}
			}),
			{ numRuns: 3000 },
		);
		expect(decode('ab==', 'base64')?.toString('hex')).toBe('69');
		expect(decode('ab===', 'base64')).toBeNull();
		expect(decode('abc', 'hex')).toBeNull();
	});

	it('parseSeconds', () => {
		fc.assert(fc.property(text, (t) => Object.is(parseSeconds(t), refSeconds(t))), { numRuns: 3000 });
		expect(parseSeconds(' 1700000000 ')).toBe(1700000000);
		expect(parseSeconds('1234567890123')).toBeNaN();
		expect(parseSeconds(undefined)).toBeNaN();
	});

	it('money', () => {
		fc.assert(fc.property(text, (t) => Object.is(money(t), refMoney(t))), { numRuns: 3000 });
		// Decimal texts of any length (the digits-over-a-power-of-ten path up to 15 digits, Number beyond).
		const digitText = (max: number) => fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 1, maxLength: max }).map((a) => a.join(''));
		const decimal = fc.tuple(fc.constantFrom('', '-'), digitText(20), fc.option(digitText(20))).map(([sign, whole, frac]) => `${sign}${whole}${frac === null ? '' : `.${frac}`}`);
		fc.assert(fc.property(decimal, (t) => Object.is(money(t), refMoney(t))), { numRuns: 20000 });
		for (const t of ['0.1', '0.3', '-0', '-0.0', '007.50', '999999999999999', '9999999999999999', '99999999999999.9', '0.000000000000001', '9007199254740993', '1.7976931348623157', '123456789.012345']) {
			expect(Object.is(money(t), refMoney(t))).toBe(true);
		}
		expect(money('59.99')).toBe(59.99);
		expect(money('-5')).toBe(-5);
		expect(money(' 12.50 ')).toBe(12.5);
		expect(money('1.')).toBeUndefined();
		expect(money('.5')).toBeUndefined();
		expect(money('-')).toBeUndefined();
	});
});

describe('cached keys and one-pass hashing give the same bytes', () => {
	it('safeEqualString agrees with comparing SHA-256 digests, for any strings', () => {
		const s = fc.array(fc.constantFrom('a', 'b', 'é', '\uD800', '\uDC00', '\uFFFD', '😀', ' ', ''), { maxLength: 5 }).map((a) => a.join(''));
		fc.assert(fc.property(s, s, (a, b) => safeEqualString(a, b) === refEqual(a, b)), { numRuns: 5000 });
		expect(safeEqualString('dXNlcjpwYXNz', 'dXNlcjpwYXNz')).toBe(true);
		expect(safeEqualString('dXNlcjpwYXNz', 'dXNlcjpwYXN')).toBe(false);
		expect(safeEqualString('dXNlcjpwYXNzX', 'dXNlcjpwYXNz')).toBe(false);
		expect(safeEqualString('', '')).toBe(true);
	});

	it('the cached HMAC key gives what createHmac with the secret string gives', () => {
		const body = Buffer.from('{"id":1,"note":"héllo"}', 'utf8');
		for (const secret of ['s3cret', 'clé-ünïcode', 'x'.repeat(200)]) {
			for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
				expect(createHmac(algorithm, hmacKey(secret)).update(body).digest().equals(createHmac(algorithm, secret).update(body).digest())).toBe(true);
				// second call: served from the cache
				expect(createHmac(algorithm, hmacKey(secret)).update(body).digest().equals(createHmac(algorithm, secret).update(body).digest())).toBe(true);
			}
		}
	});

	it('signatureMatches equals decoding the given text and comparing bytes', () => {
		const ref = (given: string, expected: Buffer, encoding: 'base64' | 'hex') => {
			const bytes = refDecode(given, encoding);
			return bytes !== null && bytes === expected.toString('hex');
		};
		// given: the expected digest, written as sent (canonical, upper-case hex, base64url, unpadded,
		// padded with white space), mutated at one position, cut, or random text.
		const digest = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a));
		const variant = fc.constantFrom('same', 'upper', 'url', 'unpadded', 'spaced', 'flip', 'cut', 'random');
		fc.assert(
			fc.property(digest, variant, fc.nat(), text, (expected, how, at, random) => {
				for (const encoding of ['base64', 'hex'] as const) {
					const canonical = expected.toString(encoding);
					const i = at % canonical.length;
					const given =
						how === 'same' ? canonical
						: how === 'upper' ? canonical.toUpperCase()
						: how === 'url' ? expected.toString('base64url')
						: how === 'unpadded' ? canonical.replace(/=+$/, '')
						: how === 'spaced' ? ` ${canonical}\t`
						: how === 'flip' ? canonical.slice(0, i) + (canonical[i] === 'a' ? 'b' : 'a') + canonical.slice(i + 1)
						: how === 'cut' ? canonical.slice(0, i)
						: random;
					expect(signatureMatches(given, canonical, encoding)).toBe(ref(given, expected, encoding));
				}
			}),
			{ numRuns: 5000 },
		);
	});

	it('header finds names in any case as the plain scan does', () => {
		const refHeader = (headers: Record<string, unknown>, name: string): string | undefined => {
			let value = headers[name];
			if (value === undefined) {
				const lower = name.toLowerCase();
				for (const key of Object.keys(headers)) {
					if (key.toLowerCase() === lower) {
						value = headers[key];
						break;
					}
				}
			}
			if (Array.isArray(value)) value = value[0];
			return typeof value === 'string' ? value : undefined;
		};
		const nameChars = fc.constantFrom(...'aAbBiI-\u0130\u0131\u0307'.split(''));
		const name = fc.array(nameChars, { minLength: 1, maxLength: 5 }).map((a) => a.join(''));
		const headerValue = fc.oneof(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.constant(undefined));
		fc.assert(
			fc.property(fc.dictionary(name, headerValue, { maxKeys: 6 }), name, (headers, wanted) => {
				expect(header(headers, wanted)).toBe(refHeader(headers, wanted));
			}),
			{ numRuns: 5000 },
		);
		// Inherited enumerable keys are not headers (Object.keys leaves them out); index-like keys come first.
		fc.assert(
			fc.property(fc.dictionary(name, headerValue, { maxKeys: 4 }), fc.dictionary(name, headerValue, { maxKeys: 4 }), name, (proto, own, wanted) => {
				const headers = Object.assign(Object.create(proto) as Record<string, unknown>, own);
				expect(header(headers, wanted)).toBe(refHeader(headers, wanted));
			}),
			{ numRuns: 3000 },
		);
		expect(header(Object.create({ 'X-A': 'inherited' }) as Record<string, unknown>, 'x-a')).toBeUndefined();
		expect(header({ 'X-A': 'first', 'x-A': 'second' }, 'x-a')).toBe('first');
		expect(header({ 'X-Shopify-Topic': 'orders/create' }, 'x-shopify-topic')).toBe('orders/create');
		expect(header({ '\u0130d': 'dotted' }, 'i\u0307d')).toBe('dotted');
	});

	it('pairsToObject (the reference addPairsAttribution is tested against) reads pairs as the regex definition does', () => {
		const refPairs = (values: unknown): Record<string, string> => {
			const out: Record<string, string> = {};
			for (const item of Array.isArray(values) ? values : [values]) {
				if (typeof item !== 'string' || item.trim().startsWith('{')) continue;
				for (const part of item.trim().split(/[|;&,]/)) {
					const match = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.+?)\s*$/.exec(part);
					if (match) out[match[1]] = match[2];
				}
			}
			return out;
		};
		const pairChars = fc.constantFrom(...'aZ09_.-:=|;&, \t\n\u00a0\u2028é~!{"'.split(''));
		const pairText = fc.array(pairChars, { maxLength: 24 }).map((a) => a.join(''));
		fc.assert(
			fc.property(fc.array(pairText, { maxLength: 3 }), (list) => {
				const items = list.filter((t) => !t.trim().startsWith('{'));
				expect(pairsToObject(items)).toEqual(refPairs(items));
			}),
			{ numRuns: 5000 },
		);
		expect(pairsToObject('pz_message_id:msg-21|pz_campaign_id:reactivation')).toEqual({ pz_message_id: 'msg-21', pz_campaign_id: 'reactivation' });
		expect(pairsToObject(['a:b:c', 'k = v ', 'x:'])).toEqual({ a: 'b:c', k: 'v' });
	});

	it('matchPair gives what the PAIR regular expression gave (key, value), in one pass', () => {
		const PAIR = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.+?)\s*$/;
		const viaRegex = (part: string): [string, string] | null => {
			const m = PAIR.exec(part);
			return m ? [m[1], m[2]] : null;
		};
		// key characters, both separators, every kind of white space and line terminator, others
		const chars = fc.constantFrom(...'aZ09_.-:= \t\n\r\v\f\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u200bé~|x'.split(''));
		fc.assert(
			fc.property(fc.array(chars, { maxLength: 16 }), (list) => {
				const part = list.join('');
				expect(matchPair(part)).toEqual(viaRegex(part));
			}),
			{ numRuns: 20000 },
		);
		fc.assert(
			fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
				expect(matchPair(`${a}:${b}`)).toEqual(viaRegex(`${a}:${b}`));
				expect(matchPair(`pz_variant=${a}${b}`)).toEqual(viaRegex(`pz_variant=${a}${b}`));
			}),
			{ numRuns: 5000 },
		);
		// by hand
		expect(matchPair(' pz_variant = B ')).toEqual(['pz_variant', 'B']);
		expect(matchPair('k: ')).toEqual(['k', ' ']);
		expect(matchPair('k:\n')).toBeNull();
		expect(matchPair('k:a\nb')).toBeNull();
		expect(matchPair('k:a \n ')).toEqual(['k', 'a']);
		expect(matchPair(':v')).toBeNull();
		// the input that made the regular expression backtrack quadratically: answered in one pass
		expect(matchPair(`pz_variant:x${' '.repeat(200_000)}y`)).toEqual(['pz_variant', `x${' '.repeat(200_000)}y`]);
	});

	it('contentId is cyrb53 with seeds 1 and 2 over the JSON of its parts', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.string(), (v, s) => {
				const json = JSON.stringify([s, v]);
				const expected = `c${cyrb53(json, 1).toString(16).padStart(14, '0')}${cyrb53(json, 2).toString(16).padStart(14, '0')}`;
				return contentId(s, v) === expected;
			}),
			{ numRuns: 500 },
		);
	});

	it('contentId hashes primitive parts without building their JSON: same ids as the former code', () => {
		const text = fc.oneof(
			fc.string({ maxLength: 12 }),
			fc.string({ unit: 'binary', maxLength: 8 }),
			fc.constantFrom('', '"', '\\', 'a\nb', '\u0000', '\u001f', '\u2028', 'é', '\ud83d\ude00', '\ud800', 'x\udfff', '<201798300811.5787683@relay.domain.com>'),
		);
		const part = fc.oneof(
			text,
			fc.double(),
			fc.integer(),
			fc.constantFrom<unknown>(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-7, 1604933654, true, false, null, undefined),
			fc.constantFrom<unknown>({ a: 1 }, [1, 'x'], new Date(0), { toJSON: () => 'j' }),
		);
		fc.assert(
			fc.property(fc.array(part, { maxLength: 7 }), (parts) => {
				expect(contentId(...parts)).toBe(formerContentId(...parts));
			}),
			{ numRuns: 20000 },
		);
		expect(() => contentId('x', 1n)).toThrow(TypeError);
		expect(contentId('brevo', 'click', undefined, 1604933654)).toBe(formerContentId('brevo', 'click', undefined, 1604933654));
	});

	it('normalizeEmail (one-scan fast path) gives what the former trim + lower-case + regex gave', () => {
		const chars = fc.constantFrom(...'aZ09.@@_-+ \t\n\u00a0\u2028\ufeffÉéİ~"'.split(''));
		const email = fc.oneof(
			fc.array(chars, { maxLength: 12 }).map((a) => a.join('')),
			fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('@', '@@', ''), fc.string({ maxLength: 6 })).map(([a, at, b]) => `${a}${at}${b}`),
			fc.emailAddress(),
			fc.constantFrom<unknown>('Jon@Example.com ', ' A@B', 'a@b', '@b', 'a@', '', 5, null, undefined, ['a@b']),
		);
		fc.assert(
			fc.property(email, (e) => {
				expect(normalizeEmail(e)).toBe(formerNormalizeEmail(e));
			}),
			{ numRuns: 20000 },
		);
		expect(normalizeEmail('Example@Domain.com')).toBe('example@domain.com');
		expect(normalizeEmail(' a@b ')).toBe('a@b');
		expect(normalizeEmail('a@b@c')).toBeNull();
	});

	it('toIsoUtc reads the toISOString() shape by char code as the former regex did', () => {
		const outcomeOf = (run: () => string): string => {
			try {
				return run();
			} catch (error) {
				return `error ${(error as Error).message} ${(error as { field?: string }).field}`;
			}
		};
		const canonical = fc
			.tuple(
				fc.integer({ min: -62198755200000, max: 253402300799999 }),
				fc.array(fc.tuple(fc.nat(23), fc.constantFrom(...'0123456789-:T.Zt z/\u0660'.split(''))), { maxLength: 2 }),
				fc.constantFrom('', ' ', 'Z', '0'),
			)
			.map(([ms, edits, tail]) => {
				const chars = new Date(ms).toISOString().split('');
				for (const [at, c] of edits) chars[at] = c;
				return chars.join('') + tail;
			});
		fc.assert(
			fc.property(canonical, fc.boolean(), (text, assumeUtc) => {
				const former = outcomeOf(() => formerToIsoUtc(text, 'f', assumeUtc));
				// The former code wrote years outside 0000-9999 as ±YYYYYY-…; they are refused now.
				if (!former.startsWith('error ') && former.length !== 24) expect(outcomeOf(() => toIsoUtc(text, 'f', assumeUtc))).toMatch(/^error "f" is not a valid date \(outside the years 0000-9999\)/);
				else expect(outcomeOf(() => toIsoUtc(text, 'f', assumeUtc))).toBe(former);
			}),
			{ numRuns: 20000 },
		);
		expect(toIsoUtc('2023-02-22T23:41:12.126Z', 'f')).toBe('2023-02-22T23:41:12.126Z');
	});

	it('dedupeKey is the first 22 base64url characters of SHA-256(source NUL id)', () => {
		const expected = `k${createHash('sha256').update('shopify\u0000b54557e4-bdd9-4b37-8a5f-bf7d70bcd043').digest('base64url').slice(0, 22)}`;
		expect(dedupeKey('shopify', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043')).toBe(expected);
	});

	it('isoOf formats again when the same Date object was changed in place', () => {
		const d = new Date('2026-01-02T03:04:05.678Z');
		expect(isoOf(d)).toBe('2026-01-02T03:04:05.678Z');
		d.setTime(Date.UTC(2027, 0, 1));
		expect(isoOf(d)).toBe('2027-01-01T00:00:00.000Z');
		expect(() => isoOf(new Date(Number.NaN))).toThrow(RangeError);
	});
});

describe('line-item mappers build the same products as product({...})', () => {
	// The mappers as they were written before (object literal + product()), the reference.
	const refShopify = (items: unknown[]) =>
		items.filter(isObject).map((item, i) =>
			product({
				product_id: optionalString(item.product_id),
				variant: optionalString(item.variant_id) ?? optionalString(item.variant_title),
				sku: optionalString(item.sku),
				name: optionalString(item.title) ?? optionalString(item.name),
				price: money(item.price),
				quantity: typeof item.quantity === 'number' ? item.quantity : undefined,
				brand: optionalString(item.vendor),
				position: i + 1,
			}),
		);
	const refWoo = (items: unknown[]) =>
		items.filter(isObject).map((item, i) =>
			product({
				product_id: optionalString(item.product_id),
				variant: item.variation_id ? optionalString(item.variation_id) : undefined,
				sku: optionalString(item.sku),
				name: optionalString(item.name),
				price: money(item.price),
				quantity: typeof item.quantity === 'number' ? item.quantity : undefined,
				position: i + 1,
			}),
		);
	const field = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), fc.constant(0), fc.integer(), fc.double(), fc.string({ maxLength: 6 }), fc.constantFrom('19.99', '-1', 'x'));
	const item = fc.record(
		{ product_id: field, variant_id: field, variant_title: field, variation_id: field, sku: field, title: field, name: field, price: field, quantity: field, vendor: field },
		{ requiredKeys: [] },
	);
	const items = fc.array(fc.oneof(item, fc.constant(null), fc.constant('x'), fc.constant([1])), { maxLength: 5 });
	const at = new Date('2026-01-01T00:00:00Z');

	it('Shopify and WooCommerce, including key order', () => {
		fc.assert(
			fc.property(items, (list) => {
				const shop = getSource('shopify')!.normalize({ payload: { id: 1, line_items: list, updated_at: '2026-01-01T00:00:00Z' }, headers: { 'x-shopify-topic': 'carts/update' }, receivedAt: at })[0];
				expect(JSON.stringify(shop.properties.products)).toBe(JSON.stringify(refShopify(list)));
				const woo = getSource('woocommerce')!.normalize({ payload: { id: 1, line_items: list, date_modified_gmt: '2026-01-01T00:00:00' }, headers: { 'x-wc-webhook-topic': 'order.created' }, receivedAt: at })[0];
				expect(JSON.stringify(woo.properties.products)).toBe(JSON.stringify(refWoo(list)));
				// not vacuous: both carry one product per object item
				const objects = list.filter(isObject).length;
				expect(shop.properties.products as unknown[]).toHaveLength(objects);
				expect(woo.properties.products as unknown[]).toHaveLength(objects);
			}),
			{ numRuns: 3000 },
		);
	});
});
