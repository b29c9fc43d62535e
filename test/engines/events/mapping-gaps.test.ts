/**
 * Mapping gaps closed (Segment batches, display-name addresses, Brevo first opens, SES Subscription,
 * SendGrid group_resubscribe), each checked against the provider's documentation:
 * - Segment batch (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#batch):
 *   one message the mapping refuses no longer refuses the whole batch; it comes out as `Unknown`
 *   with the message in `raw` and the reason, and the other messages come out as usual. A single
 *   (non-batch) body is still refused.
 * - Resend `data.to` and SES `mail.destination` repeat the recipients as the sender wrote them,
 *   which may be the RFC 5322 name-addr form `Name <addr>` (https://www.rfc-editor.org/rfc/rfc5322#section-3.4;
 *   Resend's own examples write `from` that way: https://resend.com/docs/dashboard/webhooks/event-types).
 * - Brevo sends a recipient's first open as `unique_opened` ("First Opening") and as `opened`
 *   (every opening) when both are subscribed; the documented examples of both carry the same
 *   message-id, ts_event and ts_epoch (https://developers.brevo.com/docs/transactional-webhooks).
 * - SES `Subscription` (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html,
 *   example record in event-publishing-retrieving-sns-examples.html) and SendGrid `group_resubscribe`
 *   (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event) were unmapped.
 */
import fc from 'fast-check';
import { getSource } from '../../../nodes/engines/events/registry';
import type { EventSource, NormalizeInput } from '../../../nodes/engines/events/types';
import { EventMappingError } from '../../../nodes/engines/events/types';
import { mailboxEmail, normalizeEmail } from '../../../nodes/engines/events/util';
import { canonicalEventErrors } from '../../harness/schema';
import { FIXTURE_RECEIVED_AT, fixtureBody, normalizeAs } from '../../harness/event-fixtures';
import { REFERENCE_SOURCES } from './reference/registry';

const receivedAt = FIXTURE_RECEIVED_AT;
const body = fixtureBody;
const run = normalizeAs;

function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	return undefined;
}

describe('Segment batch: one bad message does not refuse the batch', () => {
	/** Segment's documented batch (identify, track, track) with batch[1] replaced. */
	function batchWith(second: unknown): Record<string, unknown> {
		const b = body('segment', 'batch');
		(b.batch as unknown[])[1] = second;
		return b;
	}

	it('a track without userId or anonymousId, Unknown Events = skip (Acknowledge and Ignore): the others come out, it is ignored', () => {
		const bad = { type: 'track', messageId: 'batch-m2', event: 'Song Played', properties: { name: 'Fallin for You' }, timestamp: '2012-12-02T00:30:08.276Z' };
		expect(run('segment', batchWith(bad), 'skip').map((e) => [e.event, e.messageId])).toEqual([
			['Identify', 'batch-m1'],
			['Song Played', 'batch-m3'],
		]);
	});

	it.each(['error', 'passThrough'] as const)('a track without userId or anonymousId (Unknown Events = %s): the others come out, it comes out as Unknown with the reason', (mode) => {
		const bad = { type: 'track', messageId: 'batch-m2', event: 'Song Played', properties: { name: 'Fallin for You' }, timestamp: '2012-12-02T00:30:08.276Z' };
		const events = run('segment', batchWith(bad), mode);
		expect(events.map((e) => [e.event, e.messageId])).toEqual([
			['Identify', 'batch-m1'],
			['Unknown', 'batch-m2'],
			['Song Played', 'batch-m3'],
		]);
		expect(events[1]).toEqual({
			type: 'track',
			event: 'Unknown',
			messageId: 'batch-m2',
			timestamp: '2026-01-01T00:00:00.000Z',
			receivedAt: '2026-01-01T00:00:00.000Z',
			properties: { reason: 'batch[1] needs a userId or an anonymousId', field: 'batch[1].userId' },
			context: { source: 'segment', topic: 'track' },
			raw: bad,
		});
		for (const e of events) expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('a bad timestamp and a track without event name are kept apart from the good ones', () => {
		const b = body('segment', 'batch');
		const calls = b.batch as Array<Record<string, unknown>>;
		calls[0].timestamp = '2012-02-30T00:00:00Z'; // no 30 February
		delete calls[2].event;
		const events = run('segment', b, 'error');
		expect(events.map((e) => e.event)).toEqual(['Unknown', 'Song Played', 'Unknown']);
		expect(events[0].properties).toEqual({ reason: '"batch[0].timestamp" is not a valid date: "2012-02-30T00:00:00Z"', field: 'batch[0].timestamp' });
		expect(events[0].context).toEqual({ source: 'segment', topic: 'identify' });
		expect(events[2].properties).toEqual({ reason: 'batch[2].event is required for a track call', field: 'batch[2].event' });
		expect(events[2].messageId).toBe('batch-m3');
	});

	it('an unknown call type: Unknown with the reason when Unknown Events = error; skipped or passed through as before otherwise', () => {
		const alias = { type: 'alias', userId: 'u1', previousId: 'anon-1', messageId: 'batch-alias' };
		const strict = run('segment', batchWith(alias), 'error');
		expect(strict.map((e) => e.event)).toEqual(['Identify', 'Unknown', 'Song Played']);
		expect(strict[1]).toMatchObject({
			messageId: 'batch-alias',
			properties: { reason: 'batch[1].type must be track, identify, page or batch', field: 'batch[1].type' },
			context: { source: 'segment', topic: 'alias' },
			raw: alias,
		});
		expect(run('segment', batchWith(alias), 'skip').map((e) => e.messageId)).toEqual(['batch-m1', 'batch-m3']);
		const lenient = run('segment', batchWith(alias), 'passThrough');
		expect(lenient[1]).toMatchObject({ event: 'Unknown', messageId: 'batch-alias', properties: {}, context: { source: 'segment', topic: 'alias' }, raw: alias });
	});

	it('an entry that is not an object comes out as Unknown with a content id, topic "(none)"', () => {
		const events = run('segment', batchWith('oops'), 'error');
		expect(events.map((e) => e.event)).toEqual(['Identify', 'Unknown', 'Song Played']);
		expect(events[1]).toMatchObject({ properties: { reason: 'batch[1] must be an object', field: 'batch[1]' }, context: { source: 'segment', topic: '(none)' }, raw: 'oops' });
		expect(events[1].messageId).toMatch(/^c[0-9a-f]{28}$/);
		// the same entry gives the same id (a retried delivery is recognised)
		expect(run('segment', batchWith('oops'), 'error')[1].messageId).toBe(events[1].messageId);
	});

	it('a single (non-batch) body is still refused with the field named', () => {
		const error = thrown(() => run('segment', { type: 'track', event: 'Song Played', timestamp: '2012-12-02T00:30:08.276Z' }, 'skip'));
		expect(error).toBeInstanceOf(EventMappingError);
		expect((error as EventMappingError).field).toBe('body.userId');
		expect(thrown(() => run('segment', { type: 'alias', userId: 'u1' }, 'error'))).toBeInstanceOf(EventMappingError);
	});
});

describe('Display-name addresses (RFC 5322 name-addr) in Resend and SES recipients', () => {
	it.each([
		['Jane Doe <Jane.Doe@Example.com>', 'jane.doe@example.com'],
		['"Doe, Jane" <jane@example.com>', 'jane@example.com'],
		['"Jane <work>" <jane@example.com>', 'jane@example.com'], // a quoted display name may hold < and >
		['  Jane   <jane@example.com>  ', 'jane@example.com'],
		['<jane@example.com>', 'jane@example.com'], // angle brackets alone (formerly kept as part of the address)
		['jane@example.com', 'jane@example.com'],
		[' Jane@Example.COM ', 'jane@example.com'],
		['Jane <not an address>', null],
		['Jane <>', null],
		['jane@example.com>', null],
		['Jane Doe', null],
		['', null],
		[42, null],
	])('mailboxEmail(%j) = %j', (value, expected) => {
		expect(mailboxEmail(value)).toBe(expected);
	});

	it('a plain address gives what normalizeEmail gives (same string)', () => {
		for (const value of ['a@b.co', 'Ann@Example.COM', ' ann@example.com\t', 'x@y', '@x', 'x@', 'a@@b', 'a b@c.d']) {
			expect(mailboxEmail(value)).toBe(normalizeEmail(value));
		}
	});

	it('Resend: a recipient written "Name <addr>" gives the address', () => {
		const b = body('resend', 'email.delivered');
		(b.data as Record<string, unknown>).to = ['Delivered Person <Delivered@Resend.dev>'];
		const [event] = run('resend', b);
		expect(event.email).toBe('delivered@resend.dev');
		expect(event.anonymousId).toBeNull();
	});

	it('SES: a destination written "Name <addr>" gives the address (Send, Open, Click)', () => {
		for (const name of ['send', 'open', 'click']) {
			const b = body('ses', name);
			const message = JSON.parse(b.Message as string) as { mail: { destination: string[] } };
			message.mail.destination = ['"Recipient, Example" <Recipient@Example.com>'];
			b.Message = JSON.stringify(message);
			const [event] = run('ses', b);
			expect(event.email).toBe('recipient@example.com');
		}
	});
});

describe('Brevo: the first open, sent as unique_opened and as opened, is one event', () => {
	function open(topic: string, patch: Record<string, unknown> = {}) {
		const b = { ...body('brevo', 'opened'), event: topic, ...patch };
		const events = run('brevo', b, 'error');
		expect(events).toHaveLength(1);
		expect(canonicalEventErrors(events[0])).toEqual([]);
		return events[0];
	}

	it('unique_opened has the messageId of the opened it comes with, and first_open: true', () => {
		const every = open('opened');
		const first = open('unique_opened');
		expect(first.messageId).toBe(every.messageId);
		expect(first.event).toBe('Email Opened');
		expect(first.properties.first_open).toBe(true);
		expect(every.properties.first_open).toBeUndefined();
		expect(first.timestamp).toBe(every.timestamp);
		expect(first.context).toEqual({ source: 'brevo', topic: 'unique_opened', ip: '185.41.28.109' });
	});

	it('a later opening of the same message is another event', () => {
		expect(open('opened', { ts_event: 1604937254, ts_epoch: 1604937254456 }).messageId).not.toBe(open('unique_opened').messageId);
	});

	it('unique_proxy_open pairs with proxy_open (machine opens), not with opened', () => {
		const proxy = open('proxy_open');
		const uniqueProxy = open('unique_proxy_open');
		expect(uniqueProxy.messageId).toBe(proxy.messageId);
		expect(uniqueProxy.properties).toMatchObject({ machine_open: true, first_open: true });
		expect(proxy.messageId).not.toBe(open('opened').messageId);
	});
});

/** The SES documentation's Subscription record (headers trimmed), its subscription object patched. */
function sesSubscription(subscription: Record<string, unknown> = {}): Record<string, unknown> {
	const record = {
		eventType: 'Subscription',
		mail: {
			timestamp: '2022-01-12T01:00:14.340Z',
			source: 'sender@example.com',
			sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
			sendingAccountId: '123456789012',
			messageId: 'EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000',
			destination: ['recipient@example.com'],
			headersTruncated: false,
			commonHeaders: { from: ['sender@example.com'], to: ['recipient@example.com'], messageId: 'EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000', subject: 'Message sent from Amazon SES' },
			tags: { 'ses:operation': ['SendEmail'], 'ses:configuration-set': ['ConfigSet'], pz_campaign_id: ['spring'] },
		},
		subscription: {
			contactList: 'ContactListName',
			timestamp: '2022-01-12T01:00:17.910Z',
			source: 'UnsubscribeHeader',
			newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: 'OptOut' }] },
			oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: 'OptOut' }] },
			...subscription,
		},
	};
	return { Type: 'Notification', MessageId: 'sub-0001', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events', Message: JSON.stringify(record) };
}

function prefs(unsubscribeAll: boolean, topics: Record<string, string>) {
	return { unsubscribeAll, topicSubscriptionStatus: Object.entries(topics).map(([topicName, subscriptionStatus]) => ({ topicName, subscriptionStatus })) };
}

describe('SES Subscription: Unsubscribed or Resubscribed by the change of topic preferences', () => {
	it("the documentation's record (unsubscribe all, through the List-Unsubscribe header) is Unsubscribed", () => {
		const [event] = run('ses', sesSubscription(), 'error');
		expect(event).toEqual({
			type: 'track',
			event: 'Unsubscribed',
			messageId: 'sub-0001',
			timestamp: '2022-01-12T01:00:17.910Z',
			receivedAt: '2026-01-01T00:00:00.000Z',
			userId: null,
			anonymousId: null,
			email: 'recipient@example.com',
			properties: { campaign_id: 'spring', esp_message_id: 'EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000', contact_list: 'ContactListName', unsubscribe_all: true },
			context: { source: 'ses', topic: 'Subscription', topicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events' },
		});
		expect(canonicalEventErrors(event)).toEqual([]);
	});

	it('opting out of one topic is Unsubscribed, naming the topic', () => {
		const [event] = run('ses', sesSubscription({ newTopicPreferences: prefs(false, { News: 'OptOut', Offers: 'OptIn' }), oldTopicPreferences: prefs(false, { News: 'OptIn', Offers: 'OptIn' }) }));
		expect(event.event).toBe('Unsubscribed');
		expect(event.properties).toMatchObject({ unsubscribe_all: false, topics_opted_out: ['News'] });
		expect(event.properties.topics_opted_in).toBeUndefined();
	});

	it('opting in to a topic, or leaving "unsubscribe all", is Resubscribed', () => {
		const [optIn] = run('ses', sesSubscription({ newTopicPreferences: prefs(false, { News: 'OptIn' }), oldTopicPreferences: prefs(false, { News: 'OptOut' }) }));
		expect(optIn.event).toBe('Resubscribed');
		expect(optIn.properties).toMatchObject({ contact_list: 'ContactListName', unsubscribe_all: false, topics_opted_in: ['News'] });
		const [back] = run('ses', sesSubscription({ newTopicPreferences: prefs(false, { News: 'OptIn' }), oldTopicPreferences: prefs(true, { News: 'OptIn' }) }));
		expect(back.event).toBe('Resubscribed');
		expect(back.properties.topics_opted_in).toBeUndefined();
		expect(canonicalEventErrors(back)).toEqual([]);
	});

	it('opting out of one topic and in to another is Unsubscribed with both lists', () => {
		const [event] = run('ses', sesSubscription({ newTopicPreferences: prefs(false, { News: 'OptOut', Offers: 'OptIn' }), oldTopicPreferences: prefs(false, { News: 'OptIn', Offers: 'OptOut' }) }));
		expect(event.event).toBe('Unsubscribed');
		expect(event.properties).toMatchObject({ topics_opted_out: ['News'], topics_opted_in: ['Offers'] });
	});

	it('no visible change is an unknown topic "Subscription (no change)"', () => {
		const same = sesSubscription({ newTopicPreferences: prefs(false, { News: 'OptIn' }), oldTopicPreferences: prefs(false, { News: 'OptIn' }) });
		const error = thrown(() => run('ses', same, 'error'));
		expect(error).toBeInstanceOf(EventMappingError);
		expect((error as EventMappingError).kind).toBe('unknownTopic');
		expect((error as Error).message).toContain('"Subscription (no change)"');
		expect(run('ses', same, 'skip')).toEqual([]);
		expect(run('ses', same, 'passThrough')).toMatchObject([{ event: 'Unknown', context: { source: 'ses', topic: 'Subscription (no change)' } }]);
	});
});

describe('SES Subscription: the mapping agrees with the independent reference copy (fast-check)', () => {
	const status = fc.constantFrom<unknown>('OptIn', 'OptOut', 'optin', undefined, 5);
	const entry = fc.oneof(
		{ weight: 6, arbitrary: fc.record({ topicName: fc.constantFrom<unknown>('A', 'B', 'C', '__proto__', 'constructor', 5), subscriptionStatus: status }) },
		{ weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'A', []) },
	);
	const preferences = fc.option(
		fc.record({ unsubscribeAll: fc.constantFrom<unknown>(true, false, undefined, 'true'), topicSubscriptionStatus: fc.option(fc.array(entry, { maxLength: 5 }), { nil: undefined }) }),
		{ nil: undefined },
	);

	function outcome(source: EventSource, payload: unknown, onUnknown: NormalizeInput['onUnknown']): string {
		try {
			return JSON.stringify(source.normalize({ payload, receivedAt, onUnknown }), (_k, v: unknown) => (v === undefined ? '\u0000undefined' : v));
		} catch (error) {
			return `error ${(error as Error).message} ${String((error as EventMappingError).field)}`;
		}
	}

	it('same events, or the same error, for random topic preferences', () => {
		const seen = { Unsubscribed: 0, Resubscribed: 0, unknown: 0 };
		fc.assert(
			fc.property(preferences, preferences, fc.constantFrom<NormalizeInput['onUnknown']>('error', 'skip', 'passThrough'), (now, before, onUnknown) => {
				const payload = sesSubscription({ newTopicPreferences: now, oldTopicPreferences: before });
				const got = outcome(getSource('ses')!, payload, onUnknown);
				expect(got).toBe(outcome(REFERENCE_SOURCES.ses, payload, onUnknown));
				if (got.includes('"Unsubscribed"')) seen.Unsubscribed++;
				else if (got.includes('"Resubscribed"')) seen.Resubscribed++;
				else seen.unknown++;
			}),
			{ numRuns: 3000 },
		);
		// every outcome is reached
		expect(Math.min(seen.Unsubscribed, seen.Resubscribed, seen.unknown)).toBeGreaterThan(100);
	});
});

describe('SendGrid group_resubscribe is Resubscribed', () => {
	it("the documentation's example: Resubscribed with its ASM group", () => {
		// https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event (group_resubscribe example)
		const example = {
			email: 'example@test.com',
			timestamp: 1513299569,
			'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
			event: 'group_resubscribe',
			category: 'cat facts',
			sg_event_id: 'sg_event_id',
			sg_message_id: 'sg_message_id',
			useragent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
			ip: '000.000.000.000',
			url: 'http://www.sendgrid.com/',
			asm_group_id: 10,
		};
		const [event] = run('sendgrid', [example], 'error');
		expect(event).toMatchObject({
			event: 'Resubscribed',
			messageId: 'sg_event_id',
			timestamp: '2017-12-15T00:59:29.000Z',
			email: 'example@test.com',
			properties: { esp_message_id: 'sg_message_id', category: 'cat facts', asm_group_id: '10' },
			context: { source: 'sendgrid', topic: 'group_resubscribe' },
		});
		expect(canonicalEventErrors(event)).toEqual([]);
	});
});
