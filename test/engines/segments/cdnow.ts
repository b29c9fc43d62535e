/** Loads the CDNOW files (../shared/data/cdnow, see its README) into a TransactionSummarizer. */
import fs from 'node:fs';
import path from 'node:path';
import { TransactionSummarizer, dayNumber } from '../../../nodes/engines/segments/summary';

const ROOT = path.resolve(__dirname, '../../..');
/** CDNOW_DIR, else ../shared/data/cdnow beside the repository (or beside its worktree folder). */
export const CDNOW_DIR =
	process.env.CDNOW_DIR ??
	[path.resolve(ROOT, '../shared/data/cdnow'), path.resolve(ROOT, '../../shared/data/cdnow')].find((d) => fs.existsSync(d)) ??
	path.resolve(ROOT, '../shared/data/cdnow');

/** Sample rows: id, id2, YYYYMMDD, cds, dollars; master rows: id, YYYYMMDD, cds, dollars (with a header). */
export function loadCdnow(file: string): TransactionSummarizer {
	const s = new TransactionSummarizer();
	const full = path.join(CDNOW_DIR, file);
	if (!fs.existsSync(full)) throw new Error(`CDNOW data not found at ${full}: set CDNOW_DIR (see ../shared/data/cdnow/README.md)`);
	for (const line of fs.readFileSync(full, 'utf8').split('\n')) {
		const p = line.trim().split(/\s+/);
		if (p.length < 4 || !/^\d+$/.test(p[0])) continue;
		const date = p.length >= 5 ? p[2] : p[1];
		const dollars = p.length >= 5 ? p[4] : p[3];
		const ms = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8));
		s.add(p[0], dayNumber(ms), Math.round(parseFloat(dollars) * 100));
	}
	return s;
}

/** End of the 39-week calibration period: 1997-09-30 (T of a 1997-01-01 customer = 272/7 = 38.86 weeks). */
export const CALIBRATION_END_DAY = dayNumber(Date.UTC(1997, 8, 30));
