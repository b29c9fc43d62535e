/**
 * Which provider reports suppress an address, each from the provider's documentation:
 * - Mailgun `failed` (permanent): the Permanent Failed Event of
 *   https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads carries
 *   Mailgun's own classification in `delivery-status["bounce-type"]` (`hard`; soft bounces are
 *   "the mailbox is full or for other reasons", Tracking Failures). A message Mailgun retried for
 *   8 hours ends as "a permanent failure with the description of 'Too old'" (reason `old`,
 *   help.mailgun.com "Will Mailgun retry my failed messages"): repeated temporary failures.
 * - Amazon SES Complaint `complaintFeedbackType` (complaint types table of
 *   https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html, the
 *   IANA feedback types): `not-spam` "Indicates that the entity providing the report does not
 *   consider the message to be spam. This may be used to correct a message that was incorrectly
 *   tagged or categorized as spam."
 */
import { EventMappingError } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

/** The documented Mailgun `failed` fixture with event-data fields replaced (undefined removes). */
function mailgunFailed(fields: Record<string, unknown>, status?: Record<string, unknown>): Record<string, unknown> {
	const b = fixtureBody('mailgun', 'failed');
	const data = b['event-data'] as Record<string, unknown>;
	for (const [k, v] of Object.entries(fields)) {
		if (v === undefined) delete data[k];
		else data[k] = v;
	}
	if (status) data['delivery-status'] = status;
	return b;
}

describe('Mailgun failed (permanent): how hard the bounce is', () => {
	it('reason "old" (retried 8 hours, "Too old") is a soft bounce: the profile does not suppress the address', () => {
		const [e] = normalizeAs('mailgun', mailgunFailed({ reason: 'old' }, { code: 421, message: 'Too old' }), 'error');
		expect(e).toMatchObject({ event: 'Email Bounced', email: 'alice@example.com', properties: { bounce_type: 'soft', reason: 'old' } });
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('delivery-status bounce-type "soft" is a soft bounce, "hard" a hard one (Mailgun\'s own classification)', () => {
		const [soft] = normalizeAs('mailgun', mailgunFailed({ reason: 'bounce' }, { code: 552, message: '5.2.2 mailbox full', 'bounce-type': 'soft' }), 'error');
		expect(soft.properties.bounce_type).toBe('soft');
		// the documented Permanent Failed Event: 550 5.5.0 mailbox unavailable, bounce-type hard
		const [hard] = normalizeAs('mailgun', mailgunFailed({ reason: 'bounce' }, { code: 550, 'enhanced-code': '5.5.0', 'bounce-type': 'hard' }), 'error');
		expect(hard.properties.bounce_type).toBe('hard');
		// bounce-type wins over the reason
		const [oldHard] = normalizeAs('mailgun', mailgunFailed({ reason: 'old' }, { code: 550, 'bounce-type': 'hard' }), 'error');
		expect(oldHard.properties.bounce_type).toBe('hard');
	});

	it('without bounce-type, other permanent failures stay hard (the documented suppress-bounce, generic)', () => {
		const [e] = normalizeAs('mailgun', fixtureBody('mailgun', 'failed'), 'error');
		expect(e.properties.bounce_type).toBe('hard');
		const [generic] = normalizeAs('mailgun', mailgunFailed({ reason: 'generic' }, { code: 554, message: 'policy' }), 'error');
		expect(generic.properties.bounce_type).toBe('hard');
	});
});

describe('Amazon SES Complaint: feedback type not-spam is no complaint', () => {
	/** The documented SES Complaint fixture with its complaintFeedbackType replaced. */
	function complaint(feedbackType: string): Record<string, unknown> {
		const b = fixtureBody('ses', 'complaint');
		const message = JSON.parse(b.Message as string) as Record<string, Record<string, unknown>>;
		message.complaint.complaintFeedbackType = feedbackType;
		b.Message = JSON.stringify(message);
		return b;
	}

	it('not-spam is unmapped, topic "Complaint (not-spam)": no Email Marked as Spam, so the address is not suppressed', () => {
		const payload = complaint('not-spam');
		let error: unknown;
		try {
			normalizeAs('ses', payload, 'error');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(EventMappingError);
		expect((error as EventMappingError).kind).toBe('unknownTopic');
		expect((error as Error).message).toContain('"Complaint (not-spam)"');
		expect(normalizeAs('ses', payload, 'skip')).toEqual([]);
		const [u] = normalizeAs('ses', payload, 'passThrough');
		expect(u).toMatchObject({ event: 'Unknown', context: { source: 'ses', topic: 'Complaint (not-spam)' } });
		expect(canonicalEventErrors(u)).toEqual([]);
	});

	it.each(['abuse', 'auth-failure', 'fraud', 'other', 'virus'])('%s stays Email Marked as Spam', (type) => {
		const [e] = normalizeAs('ses', complaint(type), 'error');
		expect(e).toMatchObject({ event: 'Email Marked as Spam', email: 'recipient@example.com', properties: { reason: type } });
	});
});
