/**
 * Customer Profile Record Events with date text as mail headers, spreadsheets and CSV files write
 * it, through the real n8n engine (SQLite; the reading is the store's profileTimeMs, the same for
 * PostgreSQL). Expected instants by hand and with Python 3's email.utils.parsedate_to_datetime:
 * `Sun, 01 Mar 2026 05:00:00 EST` is 10:00Z (RFC 5322 section 4.3: EST is -0500), and
 * 1772359200 s is 2026-03-01T10:00:00Z (day 20,513 since 1970: 56 × 365 + 14 leap days + 31 + 28).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { profileNodeStorages } from '../harness/profile-db';

let seq = 0;
const mid = () => `dt-${process.pid}-${++seq}`;
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));
const COF: Partial<INode> = { onError: 'continueRegularOutput' };
const sqlite = profileNodeStorages('dt').storages.find((s) => s.name === 'sqlite')!;

describe('Customer Profile: date text of other forms', () => {
	const target = sqlite.make();
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}, extra: Partial<INode> = {}) =>
		runWorkflow(
			{ nodes: [node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], { ...target.extra, ...extra })], connections: chain('Profile') },
			{ input: items(input), credentials: target.credentials as never },
		);
	const order = (userId: string, timestamp: string): IDataObject => ({ type: 'track', event: 'Order Completed', messageId: mid(), timestamp, userId, properties: { total: 10, currency: 'USD' } });
	const lastOrderAt = async (userId: string) => ((await run('get', [{ userId }])).items('Profile')[0].json.profile as IDataObject).lastOrderAt;

	it('reads an RFC 2822 zone name (EST, PDT, UT) as its fixed offset', async () => {
		const res = await run('record', [
			order('rfc-est', 'Sun, 01 Mar 2026 05:00:00 EST'),
			order('rfc-pdt', 'Sun, 01 Mar 2026 03:00:00 PDT'),
			order('rfc-ut', 'Sun, 01 Mar 2026 10:00:00 UT'),
		]);
		expect(res.error).toBeUndefined();
		expect(res.items('Profile').map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded', 'recorded']);
		expect(await lastOrderAt('rfc-est')).toBe('2026-03-01T10:00:00.000Z');
		expect(await lastOrderAt('rfc-pdt')).toBe('2026-03-01T10:00:00.000Z');
		expect(await lastOrderAt('rfc-ut')).toBe('2026-03-01T10:00:00.000Z');
	});

	it('reads epoch digits as text (a CSV or spreadsheet column) as the same number', async () => {
		const res = await run('record', [order('digits-s', '1772359200'), order('digits-ms', '1772359200123')]);
		expect(res.error).toBeUndefined();
		expect(await lastOrderAt('digits-s')).toBe('2026-03-01T10:00:00.000Z');
		expect(await lastOrderAt('digits-ms')).toBe('2026-03-01T10:00:00.123Z');
	});

	it('refuses a numeric day/month date even with a zone, and a day its month does not have, naming item and field', async () => {
		const strict = await run('record', [order('slash', '03/01/2026 10:00:00 GMT')]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toMatch(/^Item 0: The timestamp "03\/01\/2026 10:00:00 GMT" cannot be parsed \(use ISO-8601/);
		expect(strict.error?.description).toBe('Field: timestamp');
		// Continue On Fail: one output item per input, the good one recorded
		const lenient = await run('record', [order('ok-1', '2026-03-01T10:00:00Z'), order('feb30', 'Mon, 30 Feb 2026 10:00:00 GMT'), order('zoned-slash', '1/3/2026 10:00 +0100')], {}, COF);
		const out = lenient.items('Profile');
		expect(out).toHaveLength(3);
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(String(out[1].json.error)).toMatch(/^Item 1: The timestamp "Mon, 30 Feb 2026 10:00:00 GMT" cannot be parsed/);
		expect(String(out[2].json.error)).toMatch(/^Item 2: The timestamp "1\/3\/2026 10:00 \+0100" cannot be parsed/);
		// Feb 30 was recorded as March 2 before
		expect((await run('get', [{ userId: 'feb30' }])).items('Profile')[0].json.profileFound).toBe(false);
	});
});
