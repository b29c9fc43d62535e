/**
 * Customer Profile Check Event Since at the same timestamp, through the n8n engine on SQLite and
 * PostgreSQL. Shopify (without X-Shopify-Triggered-At), Stripe and Brevo give times to the second,
 * so an order can carry the very second of the checkout it completes. The check counted only
 * events strictly later: "Bought since?" said false and the cart-recovery template mailed a buyer;
 * a Since Time equal to an event's time missed it; and of two checkout events at the same second
 * each run saw nothing after it, so both mailed.
 *
 * The rule: a Since Time counts events at or after it; the triggering event counts the events
 * after it in the order (timestamp, receivedAt, messageId), never itself.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const SECOND = '2026-03-01T10:00:00.000Z';
let seq = 0;
const ev = (event: string, receivedAt: string, extra: IDataObject = {}): IDataObject => ({
	type: 'track',
	event,
	userId: 'sam',
	messageId: `pst-${process.pid}-${++seq}`,
	timestamp: SECOND,
	receivedAt,
	properties: {},
	context: { source: 'test' },
	...extra,
});

const { storages, drop } = profileNodeStorages('pst');
afterAll(() => drop());

describe.each(storages)('Check Event Since at the same second on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	/** happenedSince for `eventName` after the triggering item. */
	const after = async (trigger: IDataObject, eventName: string) =>
		(await runProfileNode(target, 'checkSince', [trigger], { eventName, since: 'triggeringEvent' }))[0].happenedSince;

	it('an order at the second of the checkout, received after it, counts as bought since the checkout', async () => {
		const checkout = ev('Checkout Started', '2026-03-01T10:00:00.300Z');
		const order = ev('Order Completed', '2026-03-01T10:00:00.800Z', { properties: { total: 59.9, currency: 'USD' } });
		await runProfileNode(target, 'record', [checkout, order]);
		expect(await after(checkout, 'Order Completed')).toBe(true);
	});

	it('Events at the Same Time = Count Them All: an order at the second of the checkout, received before it, counts; the checkout never counts itself', async () => {
		const order = ev('Order Completed', '2026-03-01T10:00:00.200Z', { properties: { total: 59.9, currency: 'USD' } });
		const checkout = ev('Checkout Started', '2026-03-01T10:00:00.900Z');
		await runProfileNode(target, 'record', [order, checkout]);
		const all = async (trigger: IDataObject, eventName: string) =>
			(await runProfileNode(target, 'checkSince', [trigger], { eventName, since: 'triggeringEvent', sameTime: 'all' }))[0].happenedSince;
		expect(await all(checkout, 'Order Completed')).toBe(true);
		expect(await all(checkout, 'Checkout Started')).toBe(false);
		// the default keeps the receipt order: received before the checkout, not after it
		expect(await after(checkout, 'Order Completed')).toBe(false);
		// an order a millisecond before the checkout's time is before it either way
		const early = ev('Order Completed', '2026-03-01T10:00:00.100Z', { timestamp: '2026-03-01T09:59:59.999Z', userId: 'kim', properties: { total: 1, currency: 'USD' } });
		const kimCheckout = ev('Checkout Started', '2026-03-01T10:00:00.500Z', { userId: 'kim' });
		await runProfileNode(target, 'record', [early, kimCheckout]);
		expect(await all(kimCheckout, 'Order Completed')).toBe(false);
	});

	it('a Since Time equal to the order time counts the order; a millisecond later does not', async () => {
		await runProfileNode(target, 'record', [ev('Order Completed', '2026-03-01T10:00:01.000Z', { properties: { total: 5, currency: 'USD' } })]);
		const since = async (sinceTime: string) =>
			(await runProfileNode(target, 'checkSince', [{ userId: 'sam' }], { since: 'time', sinceTime }))[0].happenedSince;
		expect(await since('2026-03-01T10:00:00Z')).toBe(true);
		expect(await since('2026-03-01T10:00:00.001Z')).toBe(false);
	});

	it('of two events of one name at the same second, the first received sees the second, the second sees nothing', async () => {
		const first = ev('Checkout Started', '2026-03-01T10:00:00.200Z');
		const second = ev('Checkout Started', '2026-03-01T10:00:00.700Z');
		await runProfileNode(target, 'record', [second, first]);
		expect(await after(first, 'Checkout Started')).toBe(true);
		// the triggering event itself never counts
		expect(await after(second, 'Checkout Started')).toBe(false);
	});

	it('the cart template checks a Started and an Updated at the same second: exactly one of them is last and mails', async () => {
		// "Checkout started again since?" and "Checkout updated since?" both Not Happened: that run sends
		const started = ev('Checkout Started', '2026-03-01T10:00:00.100Z');
		const updated = ev('Checkout Updated', '2026-03-01T10:00:00.400Z');
		await runProfileNode(target, 'record', [started, updated]);
		const mails = async (trigger: IDataObject) => !(await after(trigger, 'Checkout Started')) && !(await after(trigger, 'Checkout Updated'));
		expect(await mails(started)).toBe(false);
		expect(await mails(updated)).toBe(true);
	});

	it('events received together at the same second follow their messageIds (byte order), as both stores compare them', async () => {
		const received = '2026-03-01T10:00:00.500Z';
		const a = ev('Product Viewed', received, { messageId: `pst-${process.pid}-A` });
		const b = ev('Product Viewed', received, { messageId: `pst-${process.pid}-a` });
		await runProfileNode(target, 'record', [b, a]);
		// "A" (0x41) sorts before "a" (0x61)
		expect(await after(a, 'Product Viewed')).toBe(true);
		expect(await after(b, 'Product Viewed')).toBe(false);
	});

	it('a numeric messageId is the recorded text id: the triggering event does not count itself', async () => {
		const view = ev('Product Viewed', '2026-03-01T10:00:00.500Z', { messageId: 4711 + seq });
		await runProfileNode(target, 'record', [view]);
		expect(await after(view, 'Product Viewed')).toBe(false);
	});
});
