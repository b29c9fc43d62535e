/**
 * Get Profile answers bounce and complaint for the address it was looked up by as well as the
 * profile's current email (review7). Bounces are kept per address; the cart and browse templates
 * filter on `profile.bounced` and then mail the item's own `email`. When that is an older address
 * of the customer that hard-bounced (the customer changed address during the template's wait), the
 * profile's current email is clean, yet the mail would go to the bounced address: Get Profile by
 * that address must say bounced. Expected values by hand from the event sequences.
 */
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { rawProfileBackends } from '../../harness/profile-db';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (m: number) => new Date(T0 + m * 60_000).toISOString();
const NOW = new Date(T0 + 3 * 86_400_000);
let seq = 0;
const ev = (event: string, who: Record<string, unknown>, m: number, properties: Record<string, unknown> = {}, source = 'shopify'): CanonicalEvent =>
	({ type: event === 'Identify' ? 'identify' : 'track', event, messageId: `las-${++seq}`, timestamp: at(m), receivedAt: at(m), properties, context: { source }, ...who }) as CanonicalEvent;

const { backends, closeAll, dropAll } = rawProfileBackends('las', T0);
afterEach(() => closeAll());
afterAll(() => dropAll());

describe.each(backends)('Get Profile by an older, bounced address on $name', (backend) => {
	const history = (u: string, old: string, current: string, feedback: string) => [
		ev('Identify', { userId: u, email: old.toUpperCase() }, 0),
		ev(feedback, { email: old }, 5, feedback === 'Email Bounced' ? { bounce_type: 'hard' } : {}, 'sendgrid'),
		// the customer checks out with the old address, then (within the template's 1-hour wait) changes it
		ev('Checkout Started', { userId: u, email: old }, 10, { checkout_id: `c-${u}` }),
		ev('Identify', { userId: u, email: current }, 20),
	];

	it('a hard bounce of the looked-up address makes the profile bounced; the current address alone is clean', async () => {
		const store = await backend.open();
		await store.record(history('u1', 'jo@work.example', 'jo@home.example', 'Email Bounced'), { now: NOW });
		expect((await store.isSuppressed(['jo@work.example'])).get('jo@work.example')).toMatchObject({ bounced: true, suppressed: true });
		const byOld = await store.get({ userId: 'u1', email: 'JO@work.example ' }, NOW);
		expect(byOld).toMatchObject({ email: 'jo@home.example', bounced: true, complained: false });
		// looked up without the old address: only the current one counts, and it never bounced
		expect(await store.get({ userId: 'u1' }, NOW)).toMatchObject({ email: 'jo@home.example', bounced: false });
		expect(await store.get({ userId: 'u1', email: 'jo@home.example' }, NOW)).toMatchObject({ bounced: false });
	});

	it('a spam complaint of the looked-up address likewise', async () => {
		const store = await backend.open();
		await store.record(history('u2', 'ann@old.example', 'ann@new.example', 'Email Marked as Spam'), { now: NOW });
		expect(await store.get({ userId: 'u2', email: 'ann@old.example' }, NOW)).toMatchObject({ email: 'ann@new.example', complained: true, bounced: false });
		expect(await store.get({ userId: 'u2' }, NOW)).toMatchObject({ complained: false });
	});

	it('a looked-up address nobody bounced changes nothing', async () => {
		const store = await backend.open();
		await store.record([ev('Identify', { userId: 'u3', email: 'kim@a.example' }, 0), ev('Identify', { userId: 'u3', email: 'kim@b.example' }, 10)], { now: NOW });
		expect(await store.get({ userId: 'u3', email: 'kim@a.example' }, NOW)).toMatchObject({ email: 'kim@b.example', bounced: false, complained: false });
	});
});
