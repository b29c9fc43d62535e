import type { IDataObject } from 'n8n-workflow';
import { numberOf } from '../../engines/rules/compare';
import { toNumber, readField } from './common';

/** Booleans, 1/0, and "true"/"false", "yes"/"no", "1"/"0" (any case). */
export function toBoolean(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (value === 1 || value === 0) return value === 1;
	if (typeof value === 'string') {
		const s = value.trim().toLowerCase();
		if (['true', 'yes', '1', 'y'].includes(s)) return true;
		if (['false', 'no', '0', 'n'].includes(s)) return false;
		// "1.0" / "0.0": a 0/1 column that a CSV export (pandas, a column with a gap) wrote as floats
		const n = numberOf(s);
		if (n === 1 || n === 0) return n === 1;
	}
	return undefined;
}

/** A feature or target value for an error message: NaN and Infinity by name (JSON.stringify wrote them as null), nothing when missing. */
export function describeValue(value: unknown): string {
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	return JSON.stringify(value) ?? 'nothing';
}

export function parseFeatureList(value: string): string[] {
	return value
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/**
 * Reads the listed features as numbers; returns the name of the first missing/non-numeric one.
 * true/false is 1/0, also as text ("true", "no", ...: what toBoolean reads, as for the target), so
 * a flag column of a CSV export trains and scores as the same boolean from JSON does.
 */
export function readFeatures(json: IDataObject, features: string[]): { row: number[] } | { missing: string; value: unknown } {
	const row: number[] = [];
	for (const f of features) {
		const raw = readField(json, f);
		const flag = typeof raw === 'boolean' || typeof raw === 'string' ? toBoolean(raw) : undefined;
		const v = toNumber(raw) ?? (flag === undefined ? undefined : flag ? 1 : 0);
		if (v === undefined) return { missing: f, value: raw };
		row.push(v);
	}
	return { row };
}
