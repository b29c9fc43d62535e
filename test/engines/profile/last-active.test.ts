/**
 * `lastActiveAt`: the latest event the customer did, beside `lastSeenAt` (the latest event of any
 * kind). Before, the profile had only `lastSeenAt`, which our own sends move (Email Sent / Delivered /
 * Bounced / Dropped, machine opens): a win-back email's delivery made the customer look active
 * again. Which events are activity: see isCustomerActivity (fold.ts). Expected values are worked
 * out by hand from the events of each test; machine opens as SendGrid (`sg_machine_open`) and Brevo
 * (proxy opens) report them, mapped to `properties.machine_open` by sources/sendgrid.ts and brevo.ts.
 */
import { applyEvent, emptyState, mergeStates, toProfile, validateEvent, type ProfileState } from '../../../nodes/engines/profile/fold';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { rawProfileBackends } from '../../harness/profile-db';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const day = (d: number) => new Date(T0 + d * DAY).toISOString();
let seq = 0;
function ev(event: string, d: number, properties: Record<string, unknown> = {}, source = 'test', who: Record<string, string> = { email: 'ann@example.com' }): CanonicalEvent {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `la-${process.pid}-${++seq}`,
		timestamp: day(d),
		receivedAt: day(d),
		properties,
		context: { source },
		...who,
	} as CanonicalEvent;
}

function fold(events: CanonicalEvent[]): ProfileState {
	const valid = events.map((e) => validateEvent(e));
	const s = emptyState('p1', valid[0].ts);
	for (const v of valid) applyEvent(s, v);
	return s;
}

/** What our own sends and the ESP report: none of it is the customer's doing. */
const deliverySide = (from: number): CanonicalEvent[] => [
	ev('Email Sent', from, {}, 'sendgrid'),
	ev('Email Delivered', from + 1, {}, 'sendgrid'),
	ev('Email Opened', from + 2, { machine_open: true }, 'sendgrid'),
	// Mailgun's bot detection: a security gateway following the email's links (client-info.bot)
	ev('Email Link Clicked', from + 2, { link_url: 'https://shop.example/x', machine_click: true, machine_click_kind: 'generic' }, 'mailgun'),
	ev('Email Bounced', from + 3, { bounce_type: 'soft' }, 'mailgun'),
	ev('Email Dropped', from + 4, {}, 'brevo'),
	ev('Unknown', from + 5, {}, 'sendgrid'),
];

describe('engagement counts in the fold', () => {
	it('leave out the opens and clicks the provider flags as a machine\'s, as lastActiveAt does', () => {
		// by hand: days 10-14 of an 80-day window ending on day 20: one person's open (day 12) and
		// click (day 13) count; the Apple proxy open (day 11) and the link scanner's click (day 11) do not
		const s = fold([
			ev('Identify', 0),
			ev('Email Delivered', 10, {}, 'mailgun'),
			ev('Email Opened', 11, { machine_open: true, machine_open_kind: 'apple' }, 'mailgun'),
			ev('Email Link Clicked', 11, { link_url: 'https://shop.example/x', machine_click: true, machine_click_kind: 'generic' }, 'mailgun'),
			ev('Email Opened', 12, {}, 'mailgun'),
			ev('Email Link Clicked', 13, { link_url: 'https://shop.example/x' }, 'mailgun'),
		]);
		const p = toProfile(s, new Date(T0 + 20 * DAY));
		expect(p.engagement).toMatchObject({ delivered_30d: 1, opened_30d: 1, clicked_30d: 1, last_open_at: day(12), last_click_at: day(13) });
	});

	it('a machine open alone leaves no open at all', () => {
		const s = fold([ev('Identify', 0), ev('Email Opened', 5, { machine_open: true }, 'sendgrid')]);
		const p = toProfile(s, new Date(T0 + 20 * DAY));
		expect(p.engagement).toMatchObject({ opened_30d: 0, opened_90d: 0, last_open_at: null });
	});
});

describe('lastActiveAt in the fold', () => {
	it('is the latest event of the customer; delivery reports and machine opens move only lastSeenAt', () => {
		const s = fold([ev('Product Viewed', 0, { product_id: 'p1' }), ...deliverySide(70)]);
		const p = toProfile(s, new Date(T0 + 80 * DAY));
		expect(p.lastSeenAt).toBe(day(75));
		expect(p.lastActiveAt).toBe(day(0));
	});

	it('a person\'s open and click count; subscription changes and the shop\'s order updates do not', () => {
		const base = [ev('Identify', 1), ...deliverySide(10)];
		expect(toProfile(fold([...base, ev('Email Opened', 20, {}, 'sendgrid')])).lastActiveAt).toBe(day(20));
		expect(toProfile(fold([...base, ev('Email Link Clicked', 21, { link_url: 'https://shop.example/x' }, 'postmark')])).lastActiveAt).toBe(day(21));
		const notActivity = ['Unsubscribed', 'Resubscribed', 'Email Marked as Spam', 'Order Updated', 'Order Cancelled', 'Order Refunded', 'Checkout Abandoned'];
		const s = fold([...base, ...notActivity.map((name, i) => ev(name, 30 + i))]);
		expect(toProfile(s).lastActiveAt).toBe(day(1));
		expect(toProfile(s).lastSeenAt).toBe(day(36));
		// a custom event of the shop's own (not an ESP source) is the customer's
		expect(toProfile(fold([...base, ev('Wishlist Shared', 40)])).lastActiveAt).toBe(day(40));
	});

	it('is null for a profile made only of delivery reports, and independent of event order', () => {
		expect(toProfile(fold(deliverySide(5))).lastActiveAt).toBeNull();
		const events = [ev('Order Completed', 3, { total: 10, currency: 'USD' }), ev('Product Viewed', 9, { product_id: 'p2' }), ...deliverySide(20)];
		expect(toProfile(fold([...events].reverse())).lastActiveAt).toBe(day(9));
		expect(toProfile(fold(events)).lastActiveAt).toBe(day(9));
	});

	it('a merge keeps the later activity of both sides', () => {
		const a = fold([ev('Product Viewed', 4, { product_id: 'p1' }), ev('Email Delivered', 50)]);
		const b = fold([ev('Email Delivered', 60), ev('Identify', 7)]);
		const none = fold(deliverySide(80));
		expect(toProfile(mergeStates(a, b)).lastActiveAt).toBe(day(7));
		expect(toProfile(mergeStates(none, fold([ev('Identify', 2)]))).lastActiveAt).toBe(day(2));
		expect(toProfile(mergeStates(fold(deliverySide(1)), fold(deliverySide(3)))).lastActiveAt).toBeNull();
	});

	it('a state stored before the field reads as its lastSeenAt, which later deliveries no longer move', () => {
		const legacy = fold([ev('Identify', 0), ev('Email Delivered', 10)]);
		delete legacy.lastActive;
		expect(toProfile(legacy).lastActiveAt).toBe(day(10));
		applyEvent(legacy, validateEvent(ev('Email Delivered', 70)));
		expect(toProfile(legacy).lastActiveAt).toBe(day(10));
		expect(toProfile(legacy).lastSeenAt).toBe(day(70));
		applyEvent(legacy, validateEvent(ev('Product Viewed', 75, { product_id: 'p1' })));
		expect(toProfile(legacy).lastActiveAt).toBe(day(75));
	});
});

const { backends, closeAll, dropAll } = rawProfileBackends('lact', T0);
afterEach(() => closeAll());
afterAll(() => dropAll());

describe.each(backends)('lastActiveAt in the $name store', (backend) => {
	it('our win-back email\'s delivery leaves a never-ordering customer inactive', async () => {
		const store = await backend.open();
		await store.record([ev('Identify', 0, {}, 'test', { userId: 'ann', email: 'ann@example.com' }), ev('Product Viewed', 5, { product_id: 'p1' })]);
		// day 65: the win-back email goes out, is delivered, and Apple Mail's proxy opens it
		await store.record([
			ev('Email Sent', 65, {}, 'sendgrid'),
			ev('Email Delivered', 65, {}, 'sendgrid'),
			ev('Email Opened', 66, { machine_open: true }, 'sendgrid'),
		]);
		const now = new Date(T0 + 70 * DAY);
		const p = (await store.get({ userId: 'ann' }, now))!;
		expect(p.lastSeenAt).toBe(day(66));
		expect(p.lastActiveAt).toBe(day(5));
		expect(p.lastOrderAt).toBeNull();
		const [exported] = await store.exportProfiles({ now });
		expect(exported.lastActiveAt).toBe(day(5));
	});

	it('a profile stored by an earlier version reads its lastSeenAt until the customer acts again', async () => {
		const store = await backend.open();
		const state = fold([ev('Identify', 0, {}, 'test', { email: 'old@example.com' }), ev('Email Delivered', 20, {}, 'sendgrid', { email: 'old@example.com' })]);
		delete state.lastActive;
		await backend.writeRaw(store, [{ profileId: 'p1', email: 'old@example.com', state: { ...state, profileId: 'p1' } }]);
		expect((await store.get({ email: 'old@example.com' }))!.lastActiveAt).toBe(day(20));
		await store.record([ev('Email Delivered', 80, {}, 'sendgrid', { email: 'old@example.com' })]);
		const after = (await store.get({ email: 'old@example.com' }))!;
		expect([after.lastSeenAt, after.lastActiveAt]).toEqual([day(80), day(20)]);
		await store.record([ev('Email Link Clicked', 85, { link_url: 'https://shop.example/' }, 'sendgrid', { email: 'old@example.com' })]);
		expect((await store.get({ email: 'old@example.com' }))!.lastActiveAt).toBe(day(85));
	});
});
