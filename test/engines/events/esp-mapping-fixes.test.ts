/**
 * ESP mapping fixes, each from the provider's documentation:
 * - Mailgun `failed` with `severity: "temporary"` is a failure Mailgun retries, not a bounce
 *   (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads): it is
 *   unmapped (error / skip / Unknown), as SendGrid's and Brevo's `deferred` are.
 * - Postmark `SubscriptionChange` says why the address was suppressed in `SuppressionReason`
 *   (HardBounce, SpamComplaint or ManualSuppression; an unsubscribe is a ManualSuppression), and
 *   `MessageID` is null for manual suppressions by the customer or an admin
 *   (https://postmarkapp.com/developer/webhooks/subscription-change-webhook).
 * - Brevo `ts_event` is whole seconds, `ts_epoch` milliseconds
 *   (https://developers.brevo.com/docs/transactional-webhooks).
 */
import { EventMappingError } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

const body = fixtureBody;
const run = normalizeAs;

describe('Mailgun failed: only permanent failures are bounces', () => {
	/** The documented `failed` example with the severity set (absent when undefined). */
	function failed(severity: string | undefined): Record<string, unknown> {
		const b = body('mailgun', 'failed');
		const data = b['event-data'] as Record<string, unknown>;
		if (severity === undefined) delete data.severity;
		else data.severity = severity;
		return b;
	}

	it('severity "temporary" is unmapped: error names it, skip drops it, passThrough keeps it as Unknown', () => {
		const payload = failed('temporary');
		let error: unknown;
		try {
			run('mailgun', payload, 'error');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(EventMappingError);
		expect((error as EventMappingError).kind).toBe('unknownTopic');
		expect((error as Error).message).toContain('"failed (temporary)"');
		expect(run('mailgun', payload, 'skip')).toEqual([]);
		const events = run('mailgun', payload, 'passThrough');
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			event: 'Unknown',
			messageId: 'G9Bn5sl1TC6nu79C8C0bwg',
			context: { source: 'mailgun', topic: 'failed (temporary)' },
			raw: { 'event-data': payload['event-data'] },
		});
		// the signature (timestamp, token, HMAC over them only) is not kept with the payload
		expect(events[0].raw).not.toHaveProperty('signature');
		expect(canonicalEventErrors(events[0])).toEqual([]);
	});

	it('severity "permanent" and no severity stay Email Bounced, hard', () => {
		for (const severity of ['permanent', undefined]) {
			const [e] = run('mailgun', failed(severity));
			expect(e.event).toBe('Email Bounced');
			expect(e.properties.bounce_type).toBe('hard');
			expect(e.properties.reason).toBe('suppress-bounce');
			expect(e.context.topic).toBe('failed');
		}
	});
});

describe('Postmark SubscriptionChange follows SuppressionReason', () => {
	it("Postmark's own example (SuppressionReason HardBounce) is Email Bounced, hard, not Unsubscribed", () => {
		const [e] = run('postmark', body('postmark', 'subscription-change'));
		expect(e.event).toBe('Email Bounced');
		expect(e.email).toBe('bounced-address@wildbit.com');
		expect(e.timestamp).toBe('2020-02-01T10:53:34.416Z');
		expect(e.properties).toMatchObject({ bounce_type: 'hard', reason: 'HardBounce', esp_message_id: '883953f4-6105-42a2-a16a-77a8eac79483' });
		expect(e.context.topic).toBe('SubscriptionChange');
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('SpamComplaint is Email Marked as Spam', () => {
		const [e] = run('postmark', { ...body('postmark', 'subscription-change'), SuppressionReason: 'SpamComplaint' });
		expect(e.event).toBe('Email Marked as Spam');
		expect(e.properties.reason).toBe('SpamComplaint');
		expect(e.properties.bounce_type).toBeUndefined();
	});

	it('ManualSuppression (how Postmark records an unsubscribe) stays Unsubscribed', () => {
		const [e] = run('postmark', { ...body('postmark', 'subscription-change'), SuppressionReason: 'ManualSuppression', Origin: 'Customer', MessageID: null });
		expect(e.event).toBe('Unsubscribed');
		expect(e.properties.reason).toBe('ManualSuppression');
		expect(e.properties.bounce_type).toBeUndefined();
	});

	it('a reactivation (SuppressSending false, reason null) stays Resubscribed', () => {
		const [e] = run('postmark', { ...body('postmark', 'subscription-change'), SuppressSending: false, SuppressionReason: null, MessageID: null, Tag: null, Metadata: {} });
		expect(e.event).toBe('Resubscribed');
		expect(e.properties.bounce_type).toBeUndefined();
	});
});

describe('Postmark messageId names the recipient', () => {
	/** Two manual suppressions by the customer at the same instant: MessageID null for both. */
	const manual = (recipient: string) => ({
		RecordType: 'SubscriptionChange',
		MessageID: null,
		ServerID: 123456,
		MessageStream: 'outbound',
		ChangedAt: '2020-02-01T10:53:34.416071Z',
		Recipient: recipient,
		Origin: 'Customer',
		SuppressSending: true,
		SuppressionReason: 'ManualSuppression',
		Tag: null,
		Metadata: {},
	});

	it('suppressions of two addresses at the same ChangedAt get two ids', () => {
		const [a] = run('postmark', manual('a@example.com'));
		const [b] = run('postmark', manual('b@example.com'));
		expect(a.messageId).not.toBe(b.messageId);
	});

	it('the same delivery (a retry) keeps its id', () => {
		expect(run('postmark', manual('a@example.com'))[0].messageId).toBe(run('postmark', manual('a@example.com'))[0].messageId);
		const bounce = body('postmark', 'bounce');
		expect(run('postmark', bounce)[0].messageId).toBe(run('postmark', structuredClone(bounce))[0].messageId);
	});

	it('Bounce (recipient in Email) ids differ per recipient', () => {
		const bounce = body('postmark', 'bounce');
		expect(typeof bounce.Email).toBe('string');
		const [a] = run('postmark', bounce);
		const [b] = run('postmark', { ...bounce, Email: 'other@example.com' });
		expect(a.messageId).not.toBe(b.messageId);
	});
});

describe('Brevo messageId uses the millisecond ts_epoch', () => {
	it('two opens of one message in the same second get two ids; a retry keeps its id', () => {
		const first = { ...body('brevo', 'opened'), ts_event: 1604933654, ts_epoch: 1604933654123 };
		const second = { ...first, ts_epoch: 1604933654789 };
		const [a] = run('brevo', first);
		const [b] = run('brevo', second);
		expect(a.messageId).not.toBe(b.messageId);
		expect(run('brevo', structuredClone(first))[0].messageId).toBe(a.messageId);
		// the event time is still ts_event (UTC seconds): 1604933654 → 2020-11-09T14:54:14Z
		expect(a.timestamp).toBe('2020-11-09T14:54:14.000Z');
		expect(b.timestamp).toBe('2020-11-09T14:54:14.000Z');
	});

	it('ts_event still counts: the same ts_epoch with another ts_event gives another id', () => {
		// The documentation's attribute table calls ts_epoch the time the message was sent.
		const first = { ...body('brevo', 'opened'), ts_event: 1604933654, ts_epoch: 1604933600000 };
		const [a] = run('brevo', first);
		const [b] = run('brevo', { ...first, ts_event: 1604933655 });
		expect(a.messageId).not.toBe(b.messageId);
	});
});
