/**
 * parseJsonLossless walks the parsed value with a loop that tests numbers in place (no call per
 * value). It must agree with the former definition on every text: the same value (deep, key
 * order included) or the same error, including the depth limit of the walk (64).
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseJsonLossless } from '../../../nodes/engines/events/util';
import { parseJsonLossless as formerParseJsonLossless } from './reference/util';

function outcome(parse: (text: string) => unknown, text: string): { ok: true; value: unknown; json: string | undefined } | { ok: false; error: string } {
	try {
		const value = parse(text);
		return { ok: true, value, json: JSON.stringify(value) };
	} catch (error) {
		return { ok: false, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
	}
}

function same(text: string): void {
	const got = outcome(parseJsonLossless, text);
	const want = outcome(formerParseJsonLossless, text);
	expect(got.ok).toBe(want.ok);
	if (got.ok && want.ok) {
		expect(got.json).toBe(want.json);
		expect(isDeepStrictEqual(got.value, want.value)).toBe(true);
	} else expect(got).toEqual(want);
}

const BIG = [
	'12345678901234567890',
	'-12345678901234567890',
	'9007199254740993',
	'-9007199254740993',
	'9007199254740992',
	'9007199254740991',
	'-9007199254740991',
	'820982911946154508',
	'0123456789012345678',
	'-0123456789012345678',
	'00000000000000000',
	'-0000000000000000',
	'1000000000000000',
	'12345678901234567890.5',
	'1.12345678901234567890',
	'12345678901234567890e2',
	'1e12345678901234567',
	'1E+12345678901234567',
	'1e20',
	'123456789012345678901234567890123456789',
];
const token = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...BIG) },
	{ weight: 6, arbitrary: fc.constantFrom('{', '}', '[', ']', ',', ':', ' ', '\n', '\t', '\r') },
	{ weight: 3, arbitrary: fc.constantFrom('"k"', '"a\\"b"', '"__proto__"', '"12345678901234567890"', '"', '\\', 'true', 'null', '1', '-', '0', '.', 'e', '+', 'x') },
	{ weight: 1, arbitrary: fc.constantFrom('['.repeat(66), ']'.repeat(66), '{"a":'.repeat(66), '}'.repeat(66)) },
);

/** Object keys; now and then a number, which is invalid JSON that quoting would make valid. */
const key = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('"a"', '"b"', '"__proto__"', '"id"') }, { weight: 1, arbitrary: fc.constantFrom(...BIG.slice(0, 10), '1') });

/** JSON (valid but for number keys): a value tree written out with big literals, duplicate keys and deep nesting. */
const letrec = fc.letrec<{ value: string }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constantFrom(...BIG.slice(0, 8), '1', '-0', '0.5', '1e20', '"s"', '"12345678901234567890"', 'true', 'null'),
		fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
		fc
			.array(fc.tuple(key, fc.constantFrom('', ' ', '\r', '\n ', '\t'), tie('value')), { maxLength: 4 })
			.map((pairs) => `{${pairs.map(([k, ws, v]) => `${k}${ws}:${ws}${v}`).join(',')}}`),
	),
}));
const deep = fc.tuple(fc.integer({ min: 60, max: 70 }), fc.constantFrom(...BIG.slice(0, 8)), fc.boolean(), fc.constantFrom('', ',1', ',12345678901234567890')).map(
	([depth, literal, objects, sibling]) => (objects ? `${'{"a":'.repeat(depth)}${literal}${'}'.repeat(depth)}` : `${'['.repeat(depth)}${literal}${sibling}${']'.repeat(depth)}`),
);

describe('parseJsonLossless agrees with its former definition', () => {
	it('random token sequences (mostly invalid JSON)', () => {
		fc.assert(
			fc.property(fc.array(token, { maxLength: 14 }), (tokens) => same(tokens.join(''))),
			{ numRuns: 20000 },
		);
	});

	it('JSON with big literals, duplicate keys, number keys, deep nesting', () => {
		let lossless = 0;
		fc.assert(
			fc.property(fc.oneof(letrec.value, deep), (text) => {
				same(text);
				const got = outcome(parseJsonLossless, text);
				if (got.ok && /"\d{16,}"/.test(got.json ?? '') && !/"\d{16,}"/.test(text)) lossless++;
			}),
			{ numRuns: 20000 },
		);
		// not vacuous: many texts hold literals that come out as exact strings
		expect(lossless).toBeGreaterThan(1000);
	});

	it('hand cases', () => {
		expect(parseJsonLossless('{"id":820982911946154508,"n":9007199254740991}')).toEqual({ id: '820982911946154508', n: 9007199254740991 });
		expect(parseJsonLossless('{"a":[1,12345678901234567890]}')).toEqual({ a: [1, '12345678901234567890'] });
		expect(parseJsonLossless('{"a":1e20}')).toEqual({ a: 1e20 });
		// invalid JSON that quoting would make valid: still an error
		expect(() => parseJsonLossless('{12345678901234567890:1}')).toThrow(SyntaxError);
		expect(() => parseJsonLossless('[0123456789012345678]')).toThrow(SyntaxError);
		// deeper than the former check looked: the number stays as parsed, as before
		const deepText = `${'['.repeat(67)}12345678901234567890${']'.repeat(67)}`;
		let inner: unknown = parseJsonLossless(deepText);
		for (let k = 0; k < 67; k++) inner = (inner as unknown[])[0];
		expect(inner).toBe(12345678901234567890);
		for (const text of ['{"a":12345678901234567890,"a":1}', '[1e12345678901234567, 12345678901234567890]', '{"a" :12345678901234567890 , "b": 1}']) same(text);
	});
});
