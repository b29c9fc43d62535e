/**
 * Unsubscribes per scope, on both backends (SQLite file, real PostgreSQL): a `Resubscribed` lifts
 * the unsubscribe of its own scope (SendGrid group, Postmark message stream, SES contact list or
 * topic, else global) when it is later; a tie stays unsubscribed; a profile stored before scopes
 * were kept stays unsubscribed. Expected values are worked out by hand from the events of each test.
 */
import { getSource } from '../../../nodes/engines/events/registry';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { rawProfileBackends } from '../../harness/profile-db';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

let seq = 0;
type Who = { email?: string; userId?: string; anonymousId?: string };
function ev(event: 'Unsubscribed' | 'Resubscribed' | 'Identify', who: Who, minutes: number, properties: Record<string, unknown> = {}, context: Record<string, unknown> = { source: 'test' }): CanonicalEvent {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `sub-${++seq}`,
		timestamp: at(minutes),
		receivedAt: at(minutes),
		properties,
		context,
		...who,
	} as CanonicalEvent;
}

// What each source emits (nodes/engines/events/sources/*.ts).
const sg = (topic: string, group?: number | string) => ({
	properties: group === undefined ? {} : { asm_group_id: group },
	context: { source: 'sendgrid', topic },
});
const sgUnsub = (who: Who, m: number, group: number | string) => ev('Unsubscribed', who, m, sg('group_unsubscribe', group).properties, sg('group_unsubscribe').context);
const sgResub = (who: Who, m: number, group?: number | string) => ev('Resubscribed', who, m, sg('group_resubscribe', group).properties, sg('group_resubscribe').context);
const pm = (stream: string) => ({ source: 'postmark', topic: 'SubscriptionChange', stream });
const pmUnsub = (who: Who, m: number, stream: string) => ev('Unsubscribed', who, m, { reason: 'ManualSuppression' }, pm(stream));
const pmResub = (who: Who, m: number, stream: string) => ev('Resubscribed', who, m, {}, pm(stream));
const SES = { source: 'ses', topic: 'Subscription' };
const ses = (name: 'Unsubscribed' | 'Resubscribed', who: Who, m: number, properties: Record<string, unknown>) => ev(name, who, m, properties, SES);

const { backends, closeAll, dropAll } = rawProfileBackends('sub', T0);
afterEach(() => closeAll());
afterAll(() => dropAll());

/** A profile state as the former fold wrote it (no scopes): an email-only customer, unsubscribed or not. */
function formerState(profileId: string, email: string, unsubscribed: boolean, minutes: number): object {
	const ts = T0 + minutes * 60_000;
	return {
		v: 1, profileId, userId: null, email, emailAt: [ts, `old-${profileId}`], anonymousIds: [], firstSeen: ts, lastSeen: ts,
		ordersCount: 0, totalSpentMinor: {}, firstOrder: null, lastOrder: null, cartSnap: null, cartLog: [], cartCleared: null,
		views: [], searches: [], eng: { d: [], o: [], c: [] }, lastOpen: null, lastClick: null,
		unsubscribed, bounced: false, complained: false, traits: {}, traitAt: {},
	};
}

describe.each(backends)('unsubscribes per scope on $name', (backend) => {
	/**
	 * One customer per case; `unsubscribed` worked out by hand from the rule: a scope is unsubscribed
	 * when its latest Unsubscribed is at or after its latest Resubscribed.
	 */
	const cases: Array<[string, (who: Who) => CanonicalEvent[], boolean]> = [
		['SendGrid group 10 unsubscribed, then resubscribed', (w) => [sgUnsub(w, 1, '10'), sgResub(w, 2, '10')], false],
		['the resubscribe arrives first (it is still the later one)', (w) => [sgResub(w, 2, '10'), sgUnsub(w, 1, '10')], false],
		['a number group id (as SendGrid sends it) matches its string form', (w) => [sgUnsub(w, 1, 10), sgResub(w, 2, '10')], false],
		['resubscribed to another group (20)', (w) => [sgUnsub(w, 1, '10'), sgResub(w, 2, '20')], true],
		['the same timestamp: a tie stays unsubscribed', (w) => [sgUnsub(w, 1, '10'), sgResub(w, 1, '10')], true],
		['an older resubscribe does not lift a newer unsubscribe', (w) => [sgResub(w, 1, '10'), sgUnsub(w, 2, '10')], true],
		['unsubscribed, resubscribed, unsubscribed again', (w) => [sgUnsub(w, 1, '10'), sgResub(w, 2, '10'), sgUnsub(w, 3, '10')], true],
		[
			'SendGrid "unsubscribe" (opt out of all) is global even when the message was in group 10',
			(w) => [ev('Unsubscribed', w, 1, { asm_group_id: '10' }, { source: 'sendgrid', topic: 'unsubscribe' }), sgResub(w, 2, '10')],
			true,
		],
		['a SendGrid group_resubscribe naming no group lifts nothing', (w) => [ev('Unsubscribed', w, 1), sgResub(w, 2)], true],
		['Postmark stream "broadcast" unsubscribed, then reactivated', (w) => [pmUnsub(w, 1, 'broadcast'), pmResub(w, 2, 'broadcast')], false],
		['Postmark: reactivated on another stream', (w) => [pmUnsub(w, 1, 'broadcast'), pmResub(w, 2, 'outbound')], true],
		[
			'SES contact list: unsubscribe all, then leaving it',
			(w) => [ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: true }), ses('Resubscribed', w, 2, { contact_list: 'News', unsubscribe_all: false })],
			false,
		],
		[
			'SES: leaving "unsubscribe all" of another list',
			(w) => [ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: true }), ses('Resubscribed', w, 2, { contact_list: 'Offers', unsubscribe_all: false })],
			true,
		],
		[
			'SES topics: out of A and B, back in to A only',
			(w) => [
				ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: false, topics_opted_out: ['A', 'B'] }),
				ses('Resubscribed', w, 2, { contact_list: 'News', unsubscribe_all: false, topics_opted_in: ['A'] }),
			],
			true,
		],
		[
			'SES topics: out of A and B, back in to A, then to B',
			(w) => [
				ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: false, topics_opted_out: ['A', 'B'] }),
				ses('Resubscribed', w, 2, { contact_list: 'News', unsubscribe_all: false, topics_opted_in: ['A'] }),
				ses('Resubscribed', w, 3, { contact_list: 'News', unsubscribe_all: false, topics_opted_in: ['B'] }),
			],
			false,
		],
		[
			'SES: opting in to a topic while still unsubscribed from the whole list',
			(w) => [
				ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: true }),
				ses('Unsubscribed', w, 2, { contact_list: 'News', unsubscribe_all: true, topics_opted_in: ['A'] }),
			],
			true,
		],
		['global (an event naming no scope), then a global resubscribe', (w) => [ev('Unsubscribed', w, 1), ev('Resubscribed', w, 2)], false],
		['global, then resubscribed to a group and a stream only', (w) => [ev('Unsubscribed', w, 1), sgResub(w, 2, '10'), pmResub(w, 3, 'outbound')], true],
		['group 10, then a global resubscribe (it lifts only the global one)', (w) => [sgUnsub(w, 1, '10'), ev('Resubscribed', w, 2)], true],
		['a Resubscribed alone (never unsubscribed)', (w) => [sgResub(w, 1, '10')], false],
	];

	it('a Resubscribed lifts exactly the unsubscribe of its own scope, when later (profile and Check Suppression)', async () => {
		const store = await backend.open();
		const emails = cases.map((_, i) => `case${i}@example.com`);
		// All cases in one batch, then again one event per batch in another store: the same answers.
		await store.record(cases.flatMap(([, events], i) => events({ email: emails[i] })));
		const suppression = await store.isSuppressed(emails);
		const got = await Promise.all(cases.map(async ([name], i) => [name, (await store.get({ email: emails[i] }))!.unsubscribed, suppression.get(emails[i])!.unsubscribed]));
		expect(got).toEqual(cases.map(([name, , want]) => [name, want, want]));
		expect([...suppression.values()].map((s) => s.suppressed)).toEqual(cases.map(([, , want]) => want));

		const single = await backend.open();
		for (const [i, [, events]] of cases.entries()) for (const e of events({ email: `one${emails[i]}` })) await single.record([e]);
		const one = await single.isSuppressed(emails.map((e) => `one${e}`));
		expect([...one.values()].map((s) => s.unsubscribed)).toEqual(cases.map(([, , want]) => want));
	});

	it('lists the scopes in the profile (subscriptions)', async () => {
		const store = await backend.open();
		const w = { userId: 'scopes' };
		await store.record([
			ses('Unsubscribed', w, 1, { contact_list: 'News', unsubscribe_all: false, topics_opted_out: ['B', 'A'] }),
			ses('Resubscribed', w, 2, { contact_list: 'News', unsubscribe_all: false, topics_opted_in: ['A'] }),
			sgUnsub(w, 3, 10),
			sgResub(w, 4, 10),
			pmUnsub(w, 5, 'broadcast'),
			pmResub(w, 5, 'broadcast'),
			ev('Resubscribed', w, 6),
		]);
		const p = (await store.get(w))!;
		expect(p.unsubscribed).toBe(true);
		expect(p.subscriptions).toEqual([
			{ scope: 'global', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(6) },
			{ scope: 'sendgrid_group', group: '10', unsubscribed: false, unsubscribedAt: at(3), resubscribedAt: at(4) },
			{ scope: 'ses_contact_list', contactList: 'News', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(2) },
			{ scope: 'postmark_stream', stream: 'broadcast', unsubscribed: true, unsubscribedAt: at(5), resubscribedAt: at(5) },
			{ scope: 'ses_topic', contactList: 'News', topic: 'A', unsubscribed: false, unsubscribedAt: at(1), resubscribedAt: at(2) },
			{ scope: 'ses_topic', contactList: 'News', topic: 'B', unsubscribed: true, unsubscribedAt: at(1), resubscribedAt: null },
		]);
		// A customer without subscription events has no `subscriptions` (the profile is as before).
		await store.record([ev('Identify', { userId: 'plain' }, 1)]);
		expect((await store.get({ userId: 'plain' }))!).not.toHaveProperty('subscriptions');
	});

	it("reads what the sources emit for the providers' documented webhooks", async () => {
		const store = await backend.open();
		const receivedAt = new Date(T0);
		const normalize = (source: string, payload: unknown) => getSource(source)!.normalize({ payload, receivedAt, onUnknown: 'error' });
		// SendGrid (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event): the
		// documented group_unsubscribe / group_resubscribe carry asm_group_id as a number.
		const sendgrid = (event: string, id: string, ts: number, email: string, extra: Record<string, unknown> = {}) => ({
			email, timestamp: ts, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', event, category: 'cat facts', sg_event_id: id, sg_message_id: 'sg_message_id', ...extra,
		});
		const t = 1513299569;
		await store.record(normalize('sendgrid', [
			sendgrid('group_unsubscribe', 'g-1', t, 'sg.group@example.com', { asm_group_id: 10 }),
			sendgrid('group_resubscribe', 'g-2', t + 60, 'sg.group@example.com', { asm_group_id: 10 }),
			sendgrid('unsubscribe', 'a-1', t, 'sg.all@example.com', { asm_group_id: 10 }),
			sendgrid('group_resubscribe', 'a-2', t + 60, 'sg.all@example.com', { asm_group_id: 10 }),
		]));
		// Postmark (https://postmarkapp.com/developer/webhooks/subscription-change-webhook): one
		// suppression list per message stream; SuppressSending false is the reactivation.
		const postmark = (email: string, stream: string, suppress: boolean, changedAt: string) => ({
			RecordType: 'SubscriptionChange', MessageID: null, ServerID: 123456, MessageStream: stream, ChangedAt: changedAt, Recipient: email,
			Origin: 'Recipient', SuppressSending: suppress, SuppressionReason: suppress ? 'ManualSuppression' : null, Tag: 'my-tag', Metadata: {},
		});
		for (const body of [
			postmark('pm.same@example.com', 'broadcast', true, '2020-02-01T10:53:34.416071Z'),
			postmark('pm.same@example.com', 'broadcast', false, '2020-02-01T11:00:00.000000Z'),
			postmark('pm.other@example.com', 'broadcast', true, '2020-02-01T10:53:34.416071Z'),
			postmark('pm.other@example.com', 'outbound', false, '2020-02-01T11:00:00.000000Z'),
		]) await store.record(normalize('postmark', body));
		// SES (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html,
		// the Subscription record): unsubscribe all from ContactListName, then leaving it.
		const sesRecord = (id: string, email: string, timestamp: string, now: unknown, before: unknown) => ({
			Type: 'Notification', MessageId: id, TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events',
			Message: JSON.stringify({
				eventType: 'Subscription',
				mail: { timestamp: '2022-01-12T01:00:14.340Z', source: 'sender@example.com', messageId: 'EXAMPLE-1', destination: [email], tags: {} },
				subscription: { contactList: 'ContactListName', timestamp, source: 'UnsubscribeHeader', newTopicPreferences: now, oldTopicPreferences: before },
			}),
		});
		const topics = (unsubscribeAll: boolean, status: string) => ({ unsubscribeAll, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: status }] });
		await store.record([
			...normalize('ses', sesRecord('s-1', 'ses.all@example.com', '2022-01-12T01:00:17.910Z', topics(true, 'OptOut'), topics(false, 'OptOut'))),
			...normalize('ses', sesRecord('s-2', 'ses.all@example.com', '2022-01-13T09:00:00.000Z', topics(false, 'OptOut'), topics(true, 'OptOut'))),
			...normalize('ses', sesRecord('s-3', 'ses.topic@example.com', '2022-01-12T01:00:17.910Z', topics(false, 'OptOut'), topics(false, 'OptIn'))),
			...normalize('ses', sesRecord('s-4', 'ses.topic@example.com', '2022-01-13T09:00:00.000Z', topics(true, 'OptIn'), topics(false, 'OptOut'))),
		]);
		const s = await store.isSuppressed(['sg.group@example.com', 'sg.all@example.com', 'pm.same@example.com', 'pm.other@example.com', 'ses.all@example.com', 'ses.topic@example.com']);
		expect(Object.fromEntries([...s].map(([e, x]) => [e, x.suppressed]))).toEqual({
			'sg.group@example.com': false,
			'sg.all@example.com': true, // "Opt Out of All Emails" is not lifted by a group resubscribe
			'pm.same@example.com': false,
			'pm.other@example.com': true,
			'ses.all@example.com': false,
			'ses.topic@example.com': true, // topic back in, but now unsubscribed from the whole list
		});
		expect((await store.get({ email: 'ses.topic@example.com' }))!.subscriptions).toEqual([
			{ scope: 'ses_contact_list', contactList: 'ContactListName', unsubscribed: true, unsubscribedAt: '2022-01-13T09:00:00.000Z', resubscribedAt: '2022-01-12T01:00:17.910Z' },
			{ scope: 'ses_topic', contactList: 'ContactListName', topic: 'ExampleTopicName', unsubscribed: false, unsubscribedAt: '2022-01-12T01:00:17.910Z', resubscribedAt: '2022-01-13T09:00:00.000Z' },
		]);
	});

	it('a profile stored before scopes were kept stays unsubscribed: no Resubscribed lifts it, also through a merge', async () => {
		const store = await backend.open();
		await backend.writeRaw(store, [
			{ profileId: 'old-unsub', email: 'old@example.com', state: formerState('old-unsub', 'old@example.com', true, 0) },
			{ profileId: 'old-merged', email: 'oldmerge@example.com', state: formerState('old-merged', 'oldmerge@example.com', true, 0) },
			{ profileId: 'old-sub', email: 'oldsub@example.com', state: formerState('old-sub', 'oldsub@example.com', false, 0) },
		]);
		expect((await store.isSuppressed(['old@example.com'])).get('old@example.com')).toMatchObject({ suppressed: true, unsubscribed: true });
		const old = { email: 'old@example.com' };
		await store.record([
			ev('Resubscribed', old, 10),
			sgResub(old, 11, '10'),
			pmResub(old, 12, 'outbound'),
			ses('Resubscribed', old, 13, { contact_list: 'News', unsubscribe_all: false }),
			sgUnsub(old, 14, '20'),
			sgResub(old, 15, '20'),
		]);
		const p = (await store.get(old))!;
		expect(p.unsubscribed).toBe(true);
		expect(p.subscriptions).toEqual([
			{ scope: 'legacy', unsubscribed: true, unsubscribedAt: null, resubscribedAt: null },
			{ scope: 'global', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(10) },
			{ scope: 'sendgrid_group', group: '10', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(11) },
			{ scope: 'sendgrid_group', group: '20', unsubscribed: false, unsubscribedAt: at(14), resubscribedAt: at(15) },
			{ scope: 'ses_contact_list', contactList: 'News', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(13) },
			{ scope: 'postmark_stream', stream: 'outbound', unsubscribed: false, unsubscribedAt: null, resubscribedAt: at(12) },
		]);
		// Merged into a known customer who has scopes of their own: the merged profile keeps the flag.
		await store.record([ev('Resubscribed', { userId: 'known' }, 20)]);
		await store.record([ev('Identify', { userId: 'known', email: 'oldmerge@example.com' }, 21), ev('Resubscribed', { userId: 'known' }, 22)]);
		const merged = (await store.get({ userId: 'known' }))!;
		expect(merged.profileId).not.toBe('old-merged');
		expect(merged.unsubscribed).toBe(true);
		expect(merged.subscriptions?.[0]).toEqual({ scope: 'legacy', unsubscribed: true, unsubscribedAt: null, resubscribedAt: null });
		// A former profile that was not unsubscribed is not a legacy one.
		const sub = { email: 'oldsub@example.com' };
		await store.record([sgUnsub(sub, 30, '10'), sgResub(sub, 31, '10')]);
		expect((await store.get(sub))!.unsubscribed).toBe(false);
		const s = await store.isSuppressed(['old@example.com', 'oldmerge@example.com', 'oldsub@example.com']);
		expect([...s.values()].map((x) => x.unsubscribed)).toEqual([true, true, false]);
	});
});
