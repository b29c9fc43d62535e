/**
 * SendGrid posts its events as one JSON array of up to 1,000, and retries a delivery answered with
 * anything but 2xx for 24 hours, then drops it
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). One event of the
 * array that cannot be mapped (no `event`, an unreadable `timestamp`, not an object) must not
 * refuse the others: it is ignored with Unknown Events = skip, otherwise it comes out as an
 * `Unknown` event with the reason, as a Segment batch message does. A body that is no array of
 * events (nor a single event object) is still refused.
 */
import { EventMappingError } from '../../../nodes/engines/events/types';
import { FIXTURE_RECEIVED_AT, fixtureBody, normalizeAs } from '../../harness/event-fixtures';

/** SendGrid's documented example events: processed, delivered, open, click (sg_event_id_00..03). */
function documented(): Array<Record<string, unknown>> {
	return (fixtureBody('sendgrid', 'batch-all-events') as unknown as Array<Record<string, unknown>>).slice(0, 4);
}

/** The documented batch with the delivered event's `event` removed and the open's timestamp unreadable. */
function withBadEvents(): unknown[] {
	const events = documented();
	delete events[1].event;
	events[2].timestamp = 'not a time';
	return [...events, null];
}

// 1513299569 (the examples' timestamp) is 2017-12-15T00:59:29Z (`date -u -d @1513299569`).
const EXAMPLE_TIME = '2017-12-15T00:59:29.000Z';

describe('SendGrid: one bad event of a batch does not refuse the others', () => {
	it('Unknown Events = skip (the trigger default): the good events map as usual, the bad ones are ignored', () => {
		const events = normalizeAs('sendgrid', withBadEvents(), 'skip');
		expect(events.map((e) => [e.event, e.messageId, e.timestamp])).toEqual([
			['Email Sent', 'sg_event_id_00', EXAMPLE_TIME],
			['Email Link Clicked', 'sg_event_id_03', EXAMPLE_TIME],
		]);
		// mapped as a batch of good events alone maps them
		const good = documented();
		expect(events).toEqual(normalizeAs('sendgrid', [good[0], good[3]], 'skip'));
	});

	it.each(['passThrough', 'error'] as const)('Unknown Events = %s: each bad event is an Unknown event with the reason, kept in raw', (mode) => {
		const body = withBadEvents();
		const events = normalizeAs('sendgrid', structuredClone(body), mode);
		expect(events.map((e) => e.event)).toEqual(['Email Sent', 'Unknown', 'Unknown', 'Email Link Clicked', 'Unknown']);
		const [, noName, badTime, , notObject] = events;
		expect(noName).toMatchObject({
			type: 'track',
			messageId: 'sg_event_id_01',
			timestamp: FIXTURE_RECEIVED_AT.toISOString(),
			receivedAt: FIXTURE_RECEIVED_AT.toISOString(),
			properties: { reason: 'body[1].event is missing', field: 'body[1].event' },
			context: { source: 'sendgrid', topic: '(none)' },
			raw: body[1],
		});
		expect(badTime).toMatchObject({
			messageId: 'sg_event_id_02',
			properties: { field: 'body[2].timestamp' },
			context: { source: 'sendgrid', topic: 'open' },
			raw: body[2],
		});
		expect(badTime.properties.reason).toMatch(/timestamp/);
		expect(notObject).toMatchObject({ properties: { reason: 'body[4] must be an object', field: 'body[4]' }, context: { source: 'sendgrid', topic: '(none)' }, raw: null });
		expect(notObject.messageId).toMatch(/\S/);
	});

	it('Unknown Events = error: an unmapped topic in a batch (the documented "deferred") is an Unknown event with the reason, not a refused delivery', () => {
		const all = fixtureBody('sendgrid', 'batch-all-events') as unknown as unknown[];
		const events = normalizeAs('sendgrid', all, 'error');
		expect(events).toHaveLength(10);
		expect(events[9]).toMatchObject({ event: 'Unknown', messageId: 'sg_event_id_09', context: { source: 'sendgrid', topic: 'deferred' }, properties: { field: 'body[9].event' } });
		expect(events[9].properties.reason).toContain('"deferred" is not mapped');
	});

	it('a body that is not an array of events is still refused, and so is a single event object with the same fault', () => {
		for (const body of ['processed', 42, null]) {
			expect(() => normalizeAs('sendgrid', body, 'passThrough')).toThrow(new EventMappingError('the SendGrid body must be a JSON array of events', 'body'));
		}
		const single = documented()[1];
		delete single.event;
		expect(() => normalizeAs('sendgrid', single, 'passThrough')).toThrow('body[0].event is missing');
	});
});
