import type { CustomerProfile } from '../types/CustomerProfile';

/** One flat row per profile for CSV and spreadsheets: spend per currency as `spent_<CUR>` (major units). */
export function flattenProfile(p: CustomerProfile): Record<string, unknown> {
	const row: Record<string, unknown> = {
		profileId: p.profileId,
		userId: p.userId ?? '',
		email: p.email ?? '',
		firstSeenAt: p.firstSeenAt,
		lastSeenAt: p.lastSeenAt,
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
		bounced: p.bounced,
		complained: p.complained,
	});
	return row;
}

/** RFC 4180 CSV (CRLF, quotes doubled); the header is the union of the rows' keys in first-seen order. */
export function toCsv(rows: Array<Record<string, unknown>>): string {
	const header: string[] = [];
	const seen = new Set<string>();
	for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), header.push(k));
	const cell = (v: unknown): string => {
		if (v === null || v === undefined) return '';
		const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	const lines = [header.map(cell).join(',')];
	for (const r of rows) lines.push(header.map((k) => cell(r[k])).join(','));
	return lines.join('\r\n') + '\r\n';
}
