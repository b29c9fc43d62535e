/**
 * Value parsing shared by the item path and the CSV path: money into integer minor units (never
 * through a binary float when the input is text) and timestamps into epoch milliseconds.
 */

/** Parses money into integer minor units. Returns undefined when the value is not a number. */
export function parseMoneyMinor(value: unknown, decimals = 2): number | undefined {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return undefined;
		// Round at the scale: 19.99 * 100 = 1998.9999999999998 → 1999.
		return Math.round(value * 10 ** decimals);
	}
	if (typeof value === 'string') return parseDecimalString(value, decimals);
	return undefined;
}

/** Text "-12.345" → minor units at `decimals`, rounded half away from zero; exact, no float. */
export function parseDecimalString(text: string, decimals = 2): number | undefined {
	const s = text.trim();
	const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s);
	if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
	const intPart = m[2] === '' ? 0 : Number(m[2]);
	const frac = m[3] ?? '';
	let fracMinor = 0;
	for (let i = 0; i < decimals; i++) fracMinor = fracMinor * 10 + (i < frac.length ? frac.charCodeAt(i) - 48 : 0);
	let result = intPart * 10 ** decimals + fracMinor;
	if (frac.length > decimals && frac.charCodeAt(decimals) >= 53) result += 1;
	if (!Number.isSafeInteger(result)) return undefined;
	return m[1] === '-' ? -result : result;
}

/** Byte-level variant of parseDecimalString for the CSV fast path (ASCII digits only). */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number, decimals = 2): number | undefined {
	while (start < end && buf[start] === 32) start++;
	while (end > start && buf[end - 1] === 32) end--;
	let i = start;
	let negative = false;
	if (buf[i] === 45 || buf[i] === 43) {
		negative = buf[i] === 45;
		i++;
	}
	let intPart = 0;
	let digits = 0;
	while (i < end && buf[i] >= 48 && buf[i] <= 57) {
		intPart = intPart * 10 + (buf[i] - 48);
		i++;
		digits++;
	}
	let fracMinor = 0;
	let fracDigits = 0;
	let roundUp = false;
	if (i < end && buf[i] === 46) {
		i++;
		while (i < end && buf[i] >= 48 && buf[i] <= 57) {
			if (fracDigits < decimals) fracMinor = fracMinor * 10 + (buf[i] - 48);
			else if (fracDigits === decimals) roundUp = buf[i] >= 53;
			fracDigits++;
			i++;
		}
	}
	if (i !== end || digits + fracDigits === 0) return undefined;
	for (let k = Math.min(fracDigits, decimals); k < decimals; k++) fracMinor *= 10;
	let result = intPart * 10 ** decimals + fracMinor + (roundUp ? 1 : 0);
	if (!Number.isSafeInteger(result)) return undefined;
	if (negative) result = -result;
	return result;
}

/**
 * Timestamps: Date objects, epoch numbers (milliseconds; values below 1e11 are taken as seconds),
 * `YYYYMMDD`, and anything `Date.parse` reads (ISO-8601; a date without a zone is taken as UTC
 * for `YYYY-MM-DD`, local for other forms as in JavaScript). Returns undefined when unparseable.
 */
export function parseTimeMs(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return undefined;
		return Math.abs(value) < 1e11 ? value * 1000 : value;
	}
	if (typeof value !== 'string') return undefined;
	const s = value.trim();
	if (s === '') return undefined;
	const fast = parseIsoFast(s);
	if (fast !== undefined) return fast;
	const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
	if (ymd && !validDate(Date.UTC(+ymd[1], +ymd[2] - 1, +ymd[3]), +ymd[2], +ymd[3])) return undefined; // e.g. 2024-02-30
	if (/^\d{8}$/.test(s)) {
		const ms = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
		return validDate(ms, Number(s.slice(4, 6)), Number(s.slice(6, 8))) ? ms : undefined;
	}
	if (/^-?\d+(\.\d+)?$/.test(s)) return parseTimeMs(Number(s));
	const ms = Date.parse(s);
	return Number.isNaN(ms) ? undefined : ms;
}

function validDate(ms: number, month: number, day: number): boolean {
	const d = new Date(ms);
	return d.getUTCMonth() + 1 === month && d.getUTCDate() === day;
}

/** `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.sss]]` with `Z` or no zone (UTC) — the common cases, without Date.parse. */
function parseIsoFast(s: string): number | undefined {
	const n = s.length;
	if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
	const num = (from: number, len: number): number => {
		let v = 0;
		for (let i = from; i < from + len; i++) {
			const c = s.charCodeAt(i) - 48;
			if (c < 0 || c > 9) return NaN;
			v = v * 10 + c;
		}
		return v;
	};
	const y = num(0, 4);
	const mo = num(5, 2);
	const d = num(8, 2);
	if (Number.isNaN(y + mo + d) || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
	let h = 0;
	let mi = 0;
	let sec = 0;
	let ms = 0;
	if (n > 10) {
		const sep = s.charCodeAt(10);
		if ((sep !== 84 && sep !== 32) || n < 16 || s.charCodeAt(13) !== 58) return undefined;
		h = num(11, 2);
		mi = num(14, 2);
		let i = 16;
		if (i < n && s.charCodeAt(i) === 58) {
			sec = num(17, 2);
			i = 19;
			if (i < n && s.charCodeAt(i) === 46) {
				let j = i + 1;
				let frac = 0;
				let scale = 100;
				while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
					frac += (s.charCodeAt(j) - 48) * scale;
					scale /= 10;
					j++;
				}
				ms = Math.floor(frac);
				i = j;
			}
		}
		if (i < n && !(i === n - 1 && s.charCodeAt(i) === 90)) return undefined; // only a trailing Z; other zones via Date.parse
		if (Number.isNaN(h + mi + sec) || h > 23 || mi > 59 || sec > 60) return undefined;
	}
	const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
	return validDate(t, mo, d) ? t : undefined;
}

/**
 * Byte-level timestamp for the CSV fast path: `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.sss]][Z]`
 * (UTC), `YYYYMMDD`; anything else is decoded and handed to parseTimeMs.
 */
export function parseTimeBytes(buf: Uint8Array, start: number, end: number): number | undefined {
	while (start < end && buf[start] === 32) start++;
	while (end > start && buf[end - 1] === 32) end--;
	const n = end - start;
	const digit = (k: number) => {
		const c = buf[start + k] - 48;
		return c >= 0 && c <= 9 ? c : NaN;
	};
	const num = (k: number, len: number) => {
		let v = 0;
		for (let i = 0; i < len; i++) v = v * 10 + digit(k + i);
		return v;
	};
	if (n === 8) {
		const y = num(0, 4);
		const mo = num(4, 2);
		const d = num(6, 2);
		if (!Number.isNaN(y + mo + d)) {
			const t = Date.UTC(y, mo - 1, d);
			return mo >= 1 && mo <= 12 && validDate(t, mo, d) ? t : undefined;
		}
	}
	if (n >= 10 && buf[start + 4] === 45 && buf[start + 7] === 45) {
		const y = num(0, 4);
		const mo = num(5, 2);
		const d = num(8, 2);
		let h = 0;
		let mi = 0;
		let sec = 0;
		let ok = !Number.isNaN(y + mo + d) && mo >= 1 && mo <= 12;
		if (ok && n > 10) {
			const sep = buf[start + 10];
			ok = (sep === 84 || sep === 32) && n >= 16 && buf[start + 13] === 58;
			if (ok) {
				h = num(11, 2);
				mi = num(14, 2);
				let i = 16;
				if (i < n && buf[start + i] === 58) {
					sec = num(17, 2);
					i = 19;
				}
				// fractions or zones other than a bare Z: slow path
				ok = !Number.isNaN(h + mi + sec) && (i === n || (i === n - 1 && buf[start + i] === 90));
			}
		}
		if (ok) {
			const t = Date.UTC(y, mo - 1, d, h, mi, sec);
			return validDate(t, mo, d) && h < 24 && mi < 60 && sec < 61 ? t : undefined;
		}
	}
	return parseTimeMs(new TextDecoder().decode(buf.subarray(start, end)));
}
