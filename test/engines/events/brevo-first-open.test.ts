/**
 * Brevo sends a recipient's first open twice when both topics are subscribed: as `unique_opened`
 * ("First Opening") and as `opened` (every opening), with the same message-id, ts_event and
 * ts_epoch in the documented examples (https://developers.brevo.com/docs/transactional-webhooks),
 * in no promised order. Through the engine (normalize → the trigger's de-duplication → the profile
 * store), whichever order they arrive in: exactly one event that runs carries `first_open: true`,
 * every event that runs has the one messageId, and the profile counts one open at the documented
 * ts_event (1604933654 = 2020-11-09T14:54:14Z). A retried copy of either topic runs nothing.
 */
import { dedupeEvents } from '../../../nodes/engines/events/dedupe';
import { SqliteProfileStore } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';
import { tempSqliteFile } from '../../harness/profile-db';

const delivery = (topic: string): CanonicalEvent[] => normalizeAs('brevo', { ...fixtureBody('brevo', 'opened'), event: topic }, 'error') as CanonicalEvent[];

let scopes = 0;
/** Deliveries one by one through the window, as the trigger takes them: the events each one runs. */
function trigger(topics: string[]): CanonicalEvent[][] {
	const scope = `brevo-first-open-${++scopes}`;
	let persisted: string[] | undefined;
	return topics.map((topic, i) => {
		const { fresh, persist } = dedupeEvents('brevo', delivery(topic), persisted, scope, 1_000 + i);
		persisted = persist ?? persisted;
		return fresh;
	});
}

describe.each([
	['unique_opened first', ['unique_opened', 'opened'], [1, 0]],
	['opened first', ['opened', 'unique_opened'], [1, 1]],
])('Brevo first open, %s', (_name, topics, runsPerDelivery) => {
	it('one run carries first_open; every run has the one messageId; retries run nothing', () => {
		const runs = trigger([...topics, 'opened', 'unique_opened']);
		expect(runs.map((r) => r.length)).toEqual([...runsPerDelivery, 0, 0]);
		const ran = runs.flat();
		expect(ran.filter((e) => e.properties?.first_open === true)).toHaveLength(1);
		expect(new Set(ran.map((e) => e.messageId)).size).toBe(1);
		expect(ran.every((e) => e.event === 'Email Opened')).toBe(true);
	});

	it('the profile fed by the trigger counts one open', async () => {
		const store = new SqliteProfileStore(tempSqliteFile());
		try {
			const ran = trigger(topics).flat();
			const results = await store.record(ran);
			expect(results.map((r) => r.status)).toEqual(ran.length === 1 ? ['recorded'] : ['recorded', 'duplicate']);
			const profile = await store.get({ email: 'example@domain.com' }, new Date('2020-11-10T00:00:00.000Z'));
			expect(profile?.engagement).toMatchObject({ opened_30d: 1, opened_90d: 1, last_open_at: '2020-11-09T14:54:14.000Z' });
		} finally {
			await store.close();
		}
	});
});

it('a later opening of the same message is a new event, and a first_open elsewhere does not hide it', () => {
	const later = normalizeAs('brevo', { ...fixtureBody('brevo', 'opened'), ts_event: 1604937254, ts_epoch: 1604937254456 }, 'error') as CanonicalEvent[];
	const scope = 'brevo-later-open';
	const first = dedupeEvents('brevo', delivery('unique_opened'), undefined, scope, 1_000);
	const again = dedupeEvents('brevo', later, first.persist, scope, 2_000);
	expect(again).toMatchObject({ duplicates: 0, fresh: [{ event: 'Email Opened', timestamp: '2020-11-09T15:54:14.000Z' }] });
	expect(again.fresh[0].properties?.first_open).toBeUndefined();
});

it('in one delivery, the second copy runs only when it tells something new', () => {
	const [opened] = delivery('opened');
	const [unique] = delivery('unique_opened');
	expect(dedupeEvents('brevo', [opened, unique, opened, unique], undefined, 'brevo-one-delivery-a', 1_000)).toMatchObject({ fresh: [opened, unique], duplicates: 2 });
	expect(dedupeEvents('brevo', [unique, opened], undefined, 'brevo-one-delivery-b', 1_000)).toMatchObject({ fresh: [unique], duplicates: 1 });
});
