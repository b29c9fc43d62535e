/**
 * Customer Profile Check Event Since, through the n8n engine on SQLite and PostgreSQL: a canonical
 * event name typed in another case or with spaces ("order completed ") is that event. The Event
 * Name field is free text; such a name matched no stored event, so "Bought since?" said false for
 * a customer who had just ordered, and a cart-recovery flow mailed a buyer. Other names (custom
 * events) still match exactly as written.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: 'track',
	event,
	userId: 'dora',
	messageId: `pcs-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'test' },
});

const { storages, drop } = profileNodeStorages('pcs');
afterAll(() => drop());

describe.each(storages)('Check Event Since event names on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const since = async (eventName: string) => {
		const [item] = await runProfileNode(target, 'checkSince', [{ userId: 'dora' }], { since: 'time', sinceTime: at(-60), eventName });
		return item.happenedSince;
	};

	it('"order completed", " ORDER COMPLETED " and "Order Completed" all find the order; a custom event keeps its case', async () => {
		// Dora ordered 10 minutes after the Since time, and sent one custom event "Quiz Finished"
		await runProfileNode(target, 'record', [ev('Order Completed', -50, { total: 20, currency: 'EUR' }), ev('Quiz Finished', -40)]);
		expect(await since('Order Completed')).toBe(true);
		expect(await since('order completed')).toBe(true);
		expect(await since(' ORDER COMPLETED ')).toBe(true);
		// nothing of the kind happened
		expect(await since('checkout started')).toBe(false);
		expect(await since('Quiz Finished')).toBe(true);
		expect(await since('quiz finished')).toBe(false);
	});
});

describe.each(storages)('Check Event Since names recorded as typed on $name', (storage) => {
	it('"order completed" recorded as written (Record Events keeps a name as given) is still found by "order completed"', async () => {
		const target = storage.make();
		// a workflow records its own events under lower-case names; its Check Event Since used the same name
		await runProfileNode(target, 'record', [{ ...ev('order completed', -50, { total: 20, currency: 'EUR' }), userId: 'emil' }]);
		const check = async (eventName: string) =>
			(await runProfileNode(target, 'checkSince', [{ userId: 'emil' }], { since: 'time', sinceTime: at(-60), eventName }))[0].happenedSince;
		expect(await check('order completed')).toBe(true);
		// no canonical Order Completed was recorded, and other spellings are not the name as recorded
		expect(await check('Order Completed')).toBe(false);
		expect(await check('ORDER completed')).toBe(false);
		// an event after the Since time only
		const [late] = await runProfileNode(target, 'checkSince', [{ userId: 'emil' }], { since: 'time', sinceTime: at(-40), eventName: 'order completed' });
		expect(late.happenedSince).toBe(false);
	});
});
