/**
 * Customer Profile: facts about an ADDRESS stay with the address (through the real n8n engine, on
 * SQLite and PostgreSQL). From review5 F1, F2 and F7:
 * - only the customer's own events move `email`; email feedback (an ESP's events about a message it
 *   sent, to whatever address that was) attaches to the profile without changing it;
 * - a hard bounce or a spam complaint is kept for the address it concerns: a replaced address's
 *   bounce does not suppress the new one, and a customer sharing a bounced address sees it;
 * - `anonymousIds` keeps the newest 100; older ids still find the customer (identities table).
 * Expected values are worked out by hand from the events of each test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
function ev(event: string, who: IDataObject, minutes: number, properties: IDataObject = {}, source = 'test'): IDataObject {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `paf-${process.pid}-${++seq}`,
		timestamp: at(minutes),
		receivedAt: at(minutes),
		properties,
		context: { source },
		...who,
	};
}

const { storages, drop } = profileNodeStorages('paf');
afterAll(() => drop());

describe.each(storages)('Customer Profile address facts on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);
	const profileOf = async (who: IDataObject) => ((await run('get', [who]))[0].profile ?? null) as IDataObject | null;
	const suppressionOf = async (email: string) => (await run('suppression', [{ email }]))[0].suppression as IDataObject;

	describe('F1: email feedback does not move the customer\'s email', () => {
		it('an open in the OLD mailbox (carrying the userId) does not undo the customer\'s email change', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-1', email: 'jo@work.example' }, 0),
				ev('Identify', { userId: 'u-1', email: 'jo@home.example' }, 60),
				ev('Email Opened', { userId: 'u-1', email: 'jo@work.example' }, 60 * 24, {}, 'sendgrid'),
			]);
			const p = await profileOf({ userId: 'u-1' });
			expect(p?.email).toBe('jo@home.example');
			// the open still counts on the customer's profile
			expect((p?.engagement as IDataObject).last_open_at).toBe(at(60 * 24));
		});

		it('a click as the trigger normalises it (address only, no userId) attaches to the address\'s customer and leaves the email', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-2', email: 'kim@work.example' }, 0),
				ev('Identify', { userId: 'u-2', email: 'kim@home.example' }, 60),
				ev('Email Link Clicked', { userId: null, email: 'kim@work.example' }, 120, { link_url: 'https://shop.example/' }, 'mailgun'),
			]);
			const p = await profileOf({ userId: 'u-2' });
			expect(p?.email).toBe('kim@home.example');
			expect((p?.engagement as IDataObject).last_click_at).toBe(at(120));
		});

		it('an address of the customer\'s own event wins over a newer feedback address, whatever the order', async () => {
			await run('record', [
				// feedback first, then an OLDER identify: the customer's address still wins
				ev('Email Delivered', { userId: 'u-3', email: 'esp@one.example' }, 50, {}, 'postmark'),
				ev('Identify', { userId: 'u-3', email: 'own@one.example' }, 10),
			]);
			expect((await profileOf({ userId: 'u-3' }))?.email).toBe('own@one.example');
		});

		it('with no address from the customer, the feedback address stands; a later order of the customer moves it', async () => {
			await run('record', [ev('Email Delivered', { userId: 'u-4', email: 'first@two.example' }, 0, {}, 'resend')]);
			expect((await profileOf({ userId: 'u-4' }))?.email).toBe('first@two.example');
			await run('record', [ev('Order Completed', { userId: 'u-4', email: 'shop@two.example' }, 30, { order_id: 'o-4', total: 10 }, 'shopify')]);
			expect((await profileOf({ userId: 'u-4' }))?.email).toBe('shop@two.example');
			// an Unsubscribed is feedback by its name, whatever its source
			await run('record', [ev('Unsubscribed', { userId: 'u-4', email: 'first@two.example' }, 60, {}, 'custom')]);
			expect(await profileOf({ userId: 'u-4' })).toMatchObject({ email: 'shop@two.example', unsubscribed: true });
		});
	});

	describe('F2: bounces and complaints stay with their address', () => {
		it('a hard bounce of the address the customer has since replaced does not suppress the new address', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-2', email: 'ann@oldjob.example' }, 0),
				ev('Email Bounced', { email: 'ann@oldjob.example' }, 10, { bounce_type: 'hard' }, 'sendgrid'),
				ev('Identify', { userId: 'u-2', email: 'ann@home.example' }, 60),
			]);
			expect(await suppressionOf('ann@home.example')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true });
			// the old address stays suppressed
			expect(await suppressionOf('ann@oldjob.example')).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true });
			expect(await profileOf({ userId: 'u-2' })).toMatchObject({ email: 'ann@home.example', bounced: false });
		});

		it('two customers sharing an address: Get Profile of the second one shows the address\'s hard bounce', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-3', email: 'family@example.com' }, 0),
				ev('Identify', { userId: 'u-4', email: 'family@example.com' }, 5),
				ev('Email Bounced', { email: 'family@example.com' }, 10, { bounce_type: 'hard' }, 'postmark'),
			]);
			expect(await suppressionOf('family@example.com')).toMatchObject({ bounced: true, suppressed: true });
			expect(await profileOf({ userId: 'u-4' })).toMatchObject({ email: 'family@example.com', bounced: true });
			expect(await profileOf({ userId: 'u-3' })).toMatchObject({ email: 'family@example.com', bounced: true });
		});

		it('a bounce carrying another customer\'s userId is found for the address (Check Suppression and the address\'s customer)', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-11', email: 'fam@three.example' }, 0),
				ev('Identify', { userId: 'u-12', email: 'mine@three.example' }, 5),
				// a Segment-style bounce: the message went to fam@, sent on behalf of u-12
				ev('Email Bounced', { userId: 'u-12', email: 'fam@three.example' }, 10, {}, 'segment'),
			]);
			expect(await suppressionOf('fam@three.example')).toMatchObject({ bounced: true, suppressed: true });
			expect(await suppressionOf('mine@three.example')).toMatchObject({ bounced: false, suppressed: false });
			expect(await profileOf({ userId: 'u-11' })).toMatchObject({ email: 'fam@three.example', bounced: true });
			expect(await profileOf({ userId: 'u-12' })).toMatchObject({ email: 'mine@three.example', bounced: false });
		});

		it('a spam complaint is the address\'s too; a customer returning to a bounced address is suppressed again', async () => {
			await run('record', [
				ev('Identify', { userId: 'u-13', email: 'old@four.example' }, 0),
				ev('Email Marked as Spam', { email: 'old@four.example' }, 10, {}, 'postmark'),
				ev('Identify', { userId: 'u-13', email: 'new@four.example' }, 20),
			]);
			expect(await profileOf({ userId: 'u-13' })).toMatchObject({ email: 'new@four.example', complained: false, bounced: false });
			expect(await suppressionOf('old@four.example')).toEqual({ suppressed: true, unsubscribed: false, bounced: false, complained: true, known: true });
			expect(await suppressionOf('new@four.example')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true });
			await run('record', [
				ev('Email Bounced', { email: 'new@four.example' }, 30, { bounce_type: 'hard' }, 'ses'),
				ev('Identify', { userId: 'u-13', email: 'old@four.example' }, 40),
			]);
			expect(await profileOf({ userId: 'u-13' })).toMatchObject({ email: 'old@four.example', complained: true, bounced: false });
			await run('record', [ev('Identify', { userId: 'u-13', email: 'new@four.example' }, 50)]);
			expect(await profileOf({ userId: 'u-13' })).toMatchObject({ email: 'new@four.example', complained: false, bounced: true });
		});
	});

	describe('F7: anonymousIds keeps the newest 100', () => {
		it('a customer with 3,000 Shopify orders (one cart token each) keeps 100 ids', async () => {
			const orders = Array.from({ length: 3000 }, (_, i) =>
				ev('Order Completed', { userId: 'pos-walk-in', email: 'pos@shop.example', anonymousId: `cart-${i.toString(16).padStart(32, '0')}` }, i, { order_id: String(1000 + i), total: 12.5, currency: 'USD' }, 'shopify'),
			);
			await run('record', orders);
			const p = await profileOf({ userId: 'pos-walk-in' });
			expect(p?.ordersCount).toBe(3000);
			// the newest 100: orders 2900 … 2999
			const newest = Array.from({ length: 100 }, (_, k) => `cart-${(2900 + k).toString(16).padStart(32, '0')}`).sort();
			expect(p?.anonymousIds).toEqual(newest);
		});

		it('an id no longer in the list still finds the customer (Get Profile, Check Event Since, a new event)', async () => {
			const views = Array.from({ length: 150 }, (_, i) =>
				ev('Product Viewed', { userId: 'u-20', anonymousId: `dev-${String(i).padStart(3, '0')}` }, i, { product_id: 'p-1' }, 'segment'),
			);
			const [first] = await run('record', views);
			const profileId = (first.recorded as IDataObject).profileId;
			const byOld = await profileOf({ anonymousId: 'dev-000' });
			expect(byOld).toMatchObject({ profileId, userId: 'u-20' });
			expect(byOld?.anonymousIds).toEqual(Array.from({ length: 100 }, (_, k) => `dev-${String(50 + k).padStart(3, '0')}`));
			const [since] = await run('checkSince', [{ anonymousId: 'dev-000' }], { eventName: 'Product Viewed', since: 'time', sinceTime: at(148) });
			// one view after minute 148: the one at minute 149
			expect(since.happenedSince).toBe(true);
			const [rec] = await run('record', [ev('Products Searched', { anonymousId: 'dev-001' }, 200, { query: 'socks' }, 'segment')]);
			expect((rec.recorded as IDataObject).profileId).toBe(profileId);
			const after = await profileOf({ userId: 'u-20' });
			expect(after?.recentSearches).toEqual(['socks']);
			// dev-001 is now among the newest (minute 200), dev-050 (the oldest kept) drops out
			expect(after?.anonymousIds).toContain('dev-001');
			expect(after?.anonymousIds).not.toContain('dev-050');
			expect((after?.anonymousIds as string[]).length).toBe(100);
		});
	});
});
