import type { CustomerProfile, ProfileSubscription } from '../types/CustomerProfile';
import { emptyState, toProfile } from './fold';
import { transactionFromBody } from './transactions';

/** A name inside a scope label: `\`, `;` and `/` (the label's separators) get a backslash before them. */
const escapeName = (name: string | undefined): string => (name ?? '').replace(/[\\;/]/g, (c) => `\\${c}`);

/**
 * One scope as a short label: `global`, `legacy`, `sendgrid_group:<group>`,
 * `postmark_stream:<stream>`, `ses_contact_list:<list>`, `ses_topic:<list>/<topic>`.
 */
export function scopeLabel(s: ProfileSubscription): string {
	switch (s.scope) {
		case 'sendgrid_group':
			return `sendgrid_group:${escapeName(s.group)}`;
		case 'postmark_stream':
			return `postmark_stream:${escapeName(s.stream)}`;
		case 'ses_contact_list':
			return `ses_contact_list:${escapeName(s.contactList)}`;
		case 'ses_topic':
			return `ses_topic:${escapeName(s.contactList)}/${escapeName(s.topic)}`;
		default:
			return s.scope;
	}
}

/**
 * One flat row per profile for CSV and spreadsheets: spend per currency as `spentMinor_<CUR>` (integer minor units).
 * `unsubscribedScopes` lists the scopes the customer is unsubscribed from now, in the profile's
 * order (see `subscriptions`), joined by `; ` (empty when none); the column is always there.
 */
export function flattenProfile(p: CustomerProfile): Record<string, unknown> {
	const row: Record<string, unknown> = {
		profileId: p.profileId,
		userId: p.userId ?? '',
		email: p.email ?? '',
		firstSeenAt: p.firstSeenAt,
		lastSeenAt: p.lastSeenAt,
		lastActiveAt: p.lastActiveAt ?? '',
		ordersCount: p.ordersCount,
		firstOrderAt: p.firstOrderAt ?? '',
		lastOrderAt: p.lastOrderAt ?? '',
	};
	for (const [currency, minor] of Object.entries(p.totalSpentMinor).sort()) row[`spentMinor_${currency}`] = minor;
	Object.assign(row, p.engagement, {
		last_open_at: p.engagement.last_open_at ?? '',
		last_click_at: p.engagement.last_click_at ?? '',
		openCartValue: p.openCart?.value ?? '',
		openCartAt: p.openCart?.updatedAt ?? '',
		unsubscribed: p.unsubscribed,
		unsubscribedScopes: (p.subscriptions ?? []).filter((s) => s.unsubscribed).map(scopeLabel).join('; '),
		bounced: p.bounced,
		complained: p.complained,
	});
	return row;
}

/**
 * The columns every profile row has (flattenProfile of a profile with no events; a row adds its
 * `spentMinor_<CUR>` columns): the header of a profile CSV with no rows.
 */
export const PROFILE_CSV_COLUMNS: readonly string[] = Object.keys(flattenProfile(toProfile(emptyState('', 0), new Date(0))));

/** The columns of a transaction row: the header of a transaction CSV with no rows. */
export const TRANSACTION_CSV_COLUMNS: readonly string[] = Object.keys(transactionFromBody({ profileId: '', messageId: '', ts: 0, userId: null, email: null }, {}));

/**
 * A text a spreadsheet would read as a formula (first character `=`, `+`, `-`, `@`, tab or carriage
 * return: OWASP, CSV Injection, https://owasp.org/www-community/attacks/CSV_Injection) gets a `'`
 * before it. Numbers and booleans are written as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text that is one plain decimal number and nothing else (`-12`, `+3.50`, `-2e3`): ASCII digits
 * with an optional sign, fraction and exponent. The OWASP guidance above is about cells that can
 * hold a formula; such a cell cannot (no operator after the sign, no function, no reference), so it
 * is written as it is, as a number would be: an id `-12` stays `-12`, not `'-12`. Anything more,
 * e.g. `-1+2`, `+1-2`, `-2e3+1`, `-1,5`, `-.5` or a trailing line break, is still prefixed.
 */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * RFC 4180 CSV (CRLF, quotes doubled); the header is the union of the rows' keys in first-seen order,
 * or `emptyColumns` when there are no rows: a file with only the header line, which a Read CSV or a
 * spreadsheet import reads as zero rows of known columns (an empty file has no columns to map).
 * Text cells that a spreadsheet would run as a formula are prefixed with `'` (see FORMULA_START),
 * unless they are one plain number (see PLAIN_NUMBER).
 */
export function toCsv(rows: Array<Record<string, unknown>>, emptyColumns: readonly string[] = []): string {
	const header: string[] = rows.length ? [] : [...emptyColumns];
	const seen = new Set<string>();
	for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), header.push(k));
	const cell = (v: unknown): string => {
		if (v === null || v === undefined) return '';
		let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
		if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint' && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	const lines = [header.map(cell).join(',')];
	for (const r of rows) lines.push(header.map((k) => cell(r[k])).join(','));
	return lines.join('\r\n') + '\r\n';
}
