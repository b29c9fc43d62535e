/**
 * Which store errors come from the events of a batch rather than from the store itself. A batch
 * is one transaction, so one event the database refuses fails the whole batch; the node retries
 * such a batch in smaller parts to fail only that event. Any other error (the database is
 * unreachable, locked, full, or its tables are missing) fails every event alike, so a retry in
 * parts would only repeat it.
 */

/** SQLite primary result codes caused by the data written: TOOBIG, CONSTRAINT, MISMATCH (https://www.sqlite.org/rescode.html). */
const SQLITE_DATA_CODES = new Set([18, 19, 20]);

/**
 * PostgreSQL SQLSTATE classes caused by the data written: 22 data exception (e.g. a NUL character
 * in text, a number out of range), 23 integrity constraint violation, 54 program limit exceeded
 * (e.g. an index row too large) (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
const PG_DATA_CLASSES = new Set(['22', '23', '54']);

export function isEventRejection(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) return false;
	const e = error as { code?: unknown; errcode?: unknown };
	// node:sqlite: code ERR_SQLITE_ERROR, extended result code in errcode (primary = low byte)
	if (e.code === 'ERR_SQLITE_ERROR') return typeof e.errcode === 'number' && SQLITE_DATA_CODES.has(e.errcode & 0xff);
	// pg: the five-character SQLSTATE in code (a Node system error has an E… code instead)
	if (typeof e.code === 'string') return /^[0-9A-Z]{5}$/.test(e.code) && PG_DATA_CLASSES.has(e.code.slice(0, 2));
	// thrown while folding an event (e.g. a date out of range)
	return error instanceof RangeError || error instanceof TypeError;
}
