import { DatabaseSync } from 'node:sqlite';
import { isEventRejection } from '../../../nodes/engines/profile';

/** The error a real node:sqlite statement throws. */
function sqliteError(setup: string, statement: string): unknown {
	const db = new DatabaseSync(':memory:');
	db.exec(setup);
	try {
		db.exec(statement);
	} catch (error) {
		return error;
	} finally {
		db.close();
	}
	throw new Error('no error');
}
/** A pg DatabaseError carries the SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('isEventRejection: errors caused by an event vs failures of the store', () => {
	it('SQLite: constraint errors (including a trigger RAISE) are the event; a missing table is the store', () => {
		expect(isEventRejection(sqliteError('CREATE TABLE t (a TEXT PRIMARY KEY); INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (1)'))).toBe(true);
		expect(isEventRejection(sqliteError("CREATE TABLE t (a TEXT); CREATE TRIGGER p BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'no'); END", 'INSERT INTO t VALUES (1)'))).toBe(true);
		expect(isEventRejection(sqliteError('CREATE TABLE t (a TEXT)', 'INSERT INTO gone VALUES (1)'))).toBe(false);
		// SQLITE_MISMATCH (20): a text value for an INTEGER PRIMARY KEY; SQLITE_TOOBIG (18): a value over
		// SQLITE_MAX_LENGTH (10^9 bytes by default) (https://www.sqlite.org/rescode.html, https://www.sqlite.org/limits.html).
		expect(isEventRejection(sqliteError('CREATE TABLE m (a INTEGER PRIMARY KEY)', "INSERT INTO m VALUES ('x')"))).toBe(true);
		expect(isEventRejection(sqliteError('CREATE TABLE b (a BLOB)', 'INSERT INTO b VALUES (zeroblob(2000000000))'))).toBe(true);
	});

	it('PostgreSQL: classes 22, 23 and 54 are the event; connection, auth, resources and missing tables are the store', () => {
		expect(isEventRejection(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toBe(true);
		expect(isEventRejection(pgError('22003', 'value "1e20" is out of range for type bigint'))).toBe(true);
		expect(isEventRejection(pgError('23514', 'new row violates check constraint'))).toBe(true);
		expect(isEventRejection(pgError('54000', 'index row size exceeds btree version 4 maximum'))).toBe(true);
		for (const code of ['08006', '28P01', '3D000', '42P01', '53300', '57P01', '40P01']) expect(isEventRejection(pgError(code, code))).toBe(false);
	});

	it('Node system errors and plain errors are the store; errors thrown while folding an event are the event', () => {
		expect(isEventRejection(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(false);
		expect(isEventRejection(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(false);
		expect(isEventRejection(new Error('timeout exceeded when trying to connect'))).toBe(false);
		expect(isEventRejection(new RangeError('Invalid time value'))).toBe(true);
		expect(isEventRejection(new TypeError("Cannot read properties of null (reading 'length')"))).toBe(true);
		expect(isEventRejection(undefined)).toBe(false);
	});
});
