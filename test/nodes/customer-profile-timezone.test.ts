/**
 * Customer Profile reads a date-time without a zone as UTC, never in the n8n process's time zone
 * (review5 F5), as the rest of the package does: an event's timestamp and receivedAt (Record
 * Events), Since Time and the triggering event's timestamp (Check Event Since), Since (Export).
 * The node runs through the real n8n engine in a child process whose TZ is America/New_York
 * (UTC−5 on 2026-03-01; jest cannot change its own TZ). Expected instants are the texts read as UTC.
 */
import path from 'node:path';
import { runInTimeZone } from '../harness/timezone';
import { tempSqliteFile } from '../harness/profile-db';

const engine = JSON.stringify(path.resolve(__dirname, '../harness/engine.ts'));

describe('Customer Profile in a process whose time zone is New York', () => {
	it('reads zone-less date-times as UTC in Record Events, Check Event Since and Export', () => {
		const file = JSON.stringify(tempSqliteFile());
		const script = `
			const { runWorkflow, node, chain } = require(${engine});
			const wf = (params, extra) => ({ nodes: [node('Profile', 'customerProfile', { storage: 'sqlite', databaseFile: ${file}, ...params }, extra)], connections: chain('Profile') });
			const json = (r) => r.items('Profile').map((i) => i.json);
			(async () => {
				const order = { type: 'track', event: 'Order Completed', messageId: 'tz-order-1', userId: 'tz-1',
					timestamp: '2026-03-01 10:30:00', receivedAt: '2026-03-01T10:30:05', properties: { total: 5 } };
				// tz-2 ordered at 10:30 UTC, with a zoned timestamp
				const order2 = { ...order, messageId: 'tz-order-2', userId: 'tz-2', timestamp: '2026-03-01T10:30:00Z', receivedAt: '2026-03-01T10:30:05Z' };
				// 24 h 1 min after its zone-less receivedAt read as UTC (read as New York time, only 19 h 1 min)
				const late = { ...order, messageId: 'tz-late', userId: 'tz-3', timestamp: '2026-03-02T10:31:00Z', receivedAt: '2026-03-01 10:30:00' };
				const rec = await runWorkflow(wf({ operation: 'record' }, { onError: 'continueRegularOutput' }), { input: [{ json: order }, { json: order2 }, { json: late }] });
				const get = await runWorkflow(wf({ operation: 'get' }), { input: [{ json: { userId: 'tz-1' } }] });
				const since = (sinceTime) => runWorkflow(wf({ operation: 'checkSince', since: 'time', sinceTime }), { input: [{ json: { userId: 'tz-2' } }] });
				const trigger = await runWorkflow(wf({ operation: 'checkSince', eventName: 'Order Completed' }), {
					input: [{ json: { userId: 'tz-2', messageId: 'tz-checkout', timestamp: '2026-03-01 10:00:00' } }] });
				const exp = (exportSince) => runWorkflow(wf({ operation: 'export', exportWhat: 'transactions', format: 'items', exportSince }), { input: [{ json: {} }] });
				process.stdout.write(JSON.stringify({
					local: new Date('2026-03-01T10:00:00').toISOString(),
					recorded: json(rec).map((j) => j.recorded ? j.recorded.status : j.error),
					lastOrderAt: json(get)[0].profile.lastOrderAt,
					sinceBefore: json(await since('2026-03-01T10:00:00'))[0].happenedSince,
					sinceAfter: json(await since('2026-03-01T10:31:00'))[0].happenedSince,
					sinceTrigger: json(trigger)[0].happenedSince,
					exportAt: json(await exp('2026-03-01T10:30:00')).map((j) => j.timestamp),
					exportAfter: json(await exp('2026-03-01 10:30:01')).map((j) => j.timestamp),
				}));
				process.exit(0);
			})().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) })); process.exit(0); });`;
		expect(runInTimeZone('America/New_York', script)).toEqual({
			local: '2026-03-01T15:00:00.000Z', // the zone really is in effect in the child
			recorded: [
				'recorded',
				'recorded',
				'Item 2: The timestamp 2026-03-02T10:31:00.000Z is more than 24 hours after its receivedAt (2026-03-01T10:30:00.000Z): a wrong clock or time zone; recorded, it would move lastSeenAt into the future and empty the engagement counts',
			],
			lastOrderAt: '2026-03-01T10:30:00.000Z', // was 15:30Z
			sinceBefore: true, // Since Time was read as 15:00Z, after tz-2's 10:30Z order
			sinceAfter: false,
			sinceTrigger: true, // the triggering event's zone-less timestamp was read as 15:00Z
			exportAt: ['2026-03-01T10:30:00.000Z', '2026-03-01T10:30:00.000Z'], // Since was 15:30Z: nothing
			exportAfter: [],
		});
	});
});
