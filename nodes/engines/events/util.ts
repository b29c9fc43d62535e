import { createHash } from 'node:crypto';
import { EventMappingError } from './types';

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ISO-8601 UTC from a date string, epoch seconds/milliseconds or Date; throws on garbage. */
export function toIsoUtc(value: unknown, field: string): string {
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'number' && Number.isFinite(value)) {
		date = new Date(value < 1e11 ? value * 1000 : value);
	} else if (typeof value === 'string' && value.trim() !== '') {
		const trimmed = value.trim();
		date = /^\d+(\.\d+)?$/.test(trimmed) ? new Date(Number(trimmed) * (Number(trimmed) < 1e11 ? 1000 : 1)) : new Date(trimmed);
	}
	if (!date || Number.isNaN(date.getTime())) {
		throw new EventMappingError(`"${field}" is not a valid date: ${JSON.stringify(value)?.slice(0, 60)}`, field);
	}
	return date.toISOString();
}

export function normalizeEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const email = value.trim().toLowerCase();
	return email.includes('@') ? email : null;
}

export function optionalString(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A stable id derived from content, for sources that send no event id. */
export function contentId(...parts: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
