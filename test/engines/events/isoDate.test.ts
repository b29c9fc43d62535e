/**
 * The Date-free timestamp paths must give exactly what the Date built-ins give. The reference is
 * `toIsoUtc` as it was written before the fast paths (Date constructor + toISOString), copied
 * here; inputs are random time values and random ISO-like texts, plus hand-picked edge cases.
 */
import fc from 'fast-check';
import { isoFromTime, timeFromIso } from '../../../nodes/engines/events/isoDate';
import { toIsoUtc } from '../../../nodes/engines/events/util';

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
function plausibleDay(text: string): boolean {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
	if (!m) return true;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return false;
	return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
function reference(value: unknown, assumeUtc = false): string {
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value < 1e11 ? value * 1000 : value);
	else if (typeof value === 'string' && value.trim() !== '') {
		const trimmed = value.trim();
		if (/^\d+(\.\d+)?$/.test(trimmed)) {
			const n = Number(trimmed);
			date = new Date(n < 1e11 ? n * 1000 : n);
		} else {
			const text = assumeUtc && /T|\d \d/.test(trimmed) && !HAS_ZONE.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed;
			date = new Date(text);
		}
	}
	if (date && typeof value === 'string' && !plausibleDay(value.trim())) date = undefined;
	if (!date || Number.isNaN(date.getTime()) || Math.abs(date.getTime()) > 8.64e15) return 'INVALID';
	// Outside the years 0000-9999 toISOString() writes ±YYYYYY-…: not a canonical timestamp, refused.
	const iso = date.toISOString();
	return iso.length === 24 ? iso : 'INVALID';
}
function actual(value: unknown, assumeUtc = false): string {
	try {
		return toIsoUtc(value, 'f', assumeUtc);
	} catch {
		return 'INVALID';
	}
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isoFromTime', () => {
	it('equals Date#toISOString for random time values (years 0000-9999, fractions, negatives)', () => {
		fc.assert(
			fc.property(fc.oneof(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), fc.double({ min: -62_167_219_200_000, max: 253_402_300_799_999, noNaN: true })), (t) => {
				expect(isoFromTime(t)).toBe(new Date(t).toISOString());
			}),
			{ numRuns: 20000 },
		);
	});

	it('equals Date#toISOString for runs of times on the same day (the remembered date) and back', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 2_932_895 }), fc.array(fc.integer({ min: 0, max: 86_399_999 }), { minLength: 1, maxLength: 20 }), (day, offsets) => {
				const other = (day * 7919) % 2_932_896; // a second day, interleaved (the two remembered dates)
				const times = offsets.flatMap((o) => [day * 86_400_000 + o, other * 86_400_000 + o]);
				for (const t of [...times, (day + 1) * 86_400_000, day * 86_400_000 + 1, other * 86_400_000 + 2]) {
					expect(isoFromTime(t)).toBe(new Date(t).toISOString());
				}
			}),
			{ numRuns: 2000 },
		);
	});

	it('equals Date#toISOString for any sequence over a few days, with out-of-range values between (the two date slots)', () => {
		const outside = [253_402_300_800_000, -62_167_219_200_001, 8.64e15, -8.64e15];
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 2_932_895 }), { minLength: 1, maxLength: 4 }),
				fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 86_399_999 }), fc.nat({ max: 9 })), { minLength: 1, maxLength: 30 }),
				(days, steps) => {
					for (const [pick, offset, wild] of steps) {
						if (wild === 0) {
							const t = outside[offset % outside.length];
							expect(isoFromTime(t)).toBe(Math.abs(t) <= 8.64e15 && new Date(t).getUTCFullYear() <= 9999 && new Date(t).getUTCFullYear() >= 0 ? new Date(t).toISOString() : undefined);
							continue;
						}
						const t = (days[pick % days.length] - 719_528) * 86_400_000 + offset;
						expect(isoFromTime(t)).toBe(new Date(t).toISOString());
					}
				},
			),
			{ numRuns: 3000 },
		);
	});

	it('hand-picked values, and undefined where the built-in writes a six-digit year or fails', () => {
		expect(isoFromTime(0)).toBe('1970-01-01T00:00:00.000Z');
		expect(isoFromTime(-1)).toBe('1969-12-31T23:59:59.999Z');
		expect(isoFromTime(-0.5)).toBe('1970-01-01T00:00:00.000Z'); // truncation toward zero, as TimeClip
		expect(isoFromTime(951_782_400_000)).toBe('2000-02-29T00:00:00.000Z');
		expect(isoFromTime(1_700_000_000_123.9)).toBe('2023-11-14T22:13:20.123Z');
		expect(isoFromTime(253_402_300_800_000)).toBeUndefined(); // +010000-01-01
		expect(isoFromTime(-62_167_219_200_001)).toBeUndefined(); // -000001-12-31
		expect(isoFromTime(8.64e15 + 1)).toBeUndefined();
		expect(isoFromTime(Number.NaN)).toBeUndefined();
	});
});

describe('timeFromIso', () => {
	it('reads what Date.parse reads for texts with a zone', () => {
		expect(timeFromIso('2024-01-01T12:00:00-05:00', false)).toBe(Date.parse('2024-01-01T12:00:00-05:00'));
		expect(timeFromIso('2024-02-29T23:59:59.9999Z', false)).toBe(Date.parse('2024-02-29T23:59:59.9999Z'));
		expect(timeFromIso('2024-01-01T12:00Z', false)).toBe(Date.parse('2024-01-01T12:00Z'));
		expect(timeFromIso('2024-01-01 12:00:00', true)).toBe(Date.parse('2024-01-01T12:00:00Z'));
	});

	it('equals Date.parse for random valid texts with a zone, years 0100-9999 (the civil-day arithmetic)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 100, max: 9999 }),
				fc.integer({ min: 1, max: 12 }),
				fc.integer({ min: 1, max: 31 }),
				fc.integer({ min: 0, max: 86_399_999 }),
				fc.constantFrom('Z', '+00:00', '-05:00', '+14:00', '-23:59', '+05:30'),
				(year, month, day, ms, zone) => {
					const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor(ms / 60_000) % 60, 2)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}${zone}`;
					const parsed = Date.parse(text);
					const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
					expect(timeFromIso(text, false)).toBe(day > daysInMonth ? undefined : parsed);
				},
			),
			{ numRuns: 20000 },
		);
		expect(timeFromIso('0100-03-01T00:00:00Z', false)).toBe(Date.parse('0100-03-01T00:00:00Z'));
		expect(timeFromIso('2000-02-29T00:00:00Z', false)).toBe(Date.parse('2000-02-29T00:00:00Z'));
		expect(timeFromIso('9999-12-31T23:59:59.999-23:59', false)).toBe(Date.parse('9999-12-31T23:59:59.999-23:59'));
	});

	it('leaves every other form to the built-in', () => {
		expect(timeFromIso('2024-01-01T12:00:00', false)).toBeUndefined(); // local time
		expect(timeFromIso('2023-02-29T12:00:00Z', false)).toBeUndefined(); // not a day
		expect(timeFromIso('2024-01-01T24:00:00Z', false)).toBeUndefined();
		expect(timeFromIso('2024-01-01 12:00:00+02:00', false)).toBeUndefined();
		expect(timeFromIso('2024-01-01T12:00:00+0200', false)).toBeUndefined();
		expect(timeFromIso('Mon, 01 Jan 2024 12:00:00 GMT', false)).toBeUndefined();
	});
});

describe('toIsoUtc with the fast paths equals the Date built-ins', () => {
	const isoLike = fc
		.record({
			year: fc.integer({ min: 0, max: 9999 }),
			month: fc.integer({ min: 0, max: 13 }),
			day: fc.integer({ min: 0, max: 32 }),
			hour: fc.integer({ min: 0, max: 25 }),
			minute: fc.integer({ min: 0, max: 60 }),
			second: fc.option(fc.integer({ min: 0, max: 61 })),
			fraction: fc.option(fc.stringMatching(/^[0-9]{1,10}$/)),
			sep: fc.constantFrom('T', ' ', 't'),
			zone: fc.constantFrom('', 'Z', 'z', '+00:00', '-05:00', '+05:30', '+14:00', '-23:59', '+24:00', '+0200', '+02'),
			space: fc.constantFrom('', ' ', '\t'),
		})
		.map(({ year, month, day, hour, minute, second, fraction, sep, zone, space }) => {
			let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${sep}${pad(hour, 2)}:${pad(minute, 2)}`;
			if (second !== null) text += `:${pad(second, 2)}${fraction !== null ? `.${fraction}` : ''}`;
			return `${space}${text}${zone}${space}`;
		});

	it('random ISO-like texts, lenient and assume-UTC', () => {
		fc.assert(
			fc.property(isoLike, fc.boolean(), (text, assumeUtc) => {
				expect(actual(text, assumeUtc)).toBe(reference(text, assumeUtc));
			}),
			{ numRuns: 20000 },
		);
	});

	it('canonical-looking texts with an impossible clock are refused, as Date refuses them', () => {
		expect(actual('2024-01-01T00:00:60.000Z')).toBe('INVALID');
		expect(actual('2024-01-01T24:00:00.000Z')).toBe(reference('2024-01-01T24:00:00.000Z'));
		expect(actual('2024-01-01T23:59:59.999Z')).toBe('2024-01-01T23:59:59.999Z');
	});

	it('random numbers (epoch seconds and milliseconds) and digit strings', () => {
		fc.assert(
			fc.property(fc.oneof(fc.double({ min: -1e16, max: 1e16, noNaN: true }), fc.integer({ min: 0, max: 2_000_000_000 })), (n) => {
				expect(actual(n)).toBe(reference(n));
				expect(actual(String(n))).toBe(reference(String(n)));
			}),
			{ numRuns: 20000 },
		);
	});

	it('arbitrary strings', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 40 }), fc.boolean(), (text, assumeUtc) => {
				expect(actual(text, assumeUtc)).toBe(reference(text, assumeUtc));
			}),
			{ numRuns: 5000 },
		);
	});
});
