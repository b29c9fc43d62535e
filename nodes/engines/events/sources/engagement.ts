/** Shared shape of email engagement events (SendGrid, Mailgun, Postmark, SES, Brevo, Resend). */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import type { NormalizeInput } from '../types';
import { isoOf } from '../util';

/**
 * The canonical engagement event. `properties` and `context` are taken as they are: each source
 * builds them field by field in their final key order with no undefined values (what a literal +
 * `compact` gave, without the copy: a for-in over a dozen shapes was the slowest part).
 *
 * `userId` is the recipient's userId ESP Dispatch wrote into the provider metadata (`pz_user_id`),
 * or null. It is attribution, like the campaign and the variant: it goes to `properties.user_id`,
 * not to the event's own `userId`. The address is who the provider mailed; the userId is only what
 * the sending workflow called that recipient, which need not be the id Customer Profile keeps for
 * the address (a CRM id next to store ids): as the event's userId it made an Unsubscribed or a
 * bounce fold into a new profile of that id, not the address's profile that suppression reads.
 * A/B Experiment Analyze joins recipients by it. Without an email the event's own messageId is its
 * anonymousId, as before.
 */
export function engagementEvent(
	input: NormalizeInput,
	event: string,
	messageId: string,
	timestamp: string,
	email: string | null,
	userId: string | null,
	properties: Record<string, unknown>,
	context: CanonicalContext,
	raw: unknown,
): CanonicalEvent {
	const out: CanonicalEvent = {
		type: 'track',
		event,
		messageId,
		timestamp,
		receivedAt: isoOf(input.receivedAt),
		userId: null,
		anonymousId: email ? null : messageId,
		email,
		properties,
		context,
	};
	if (userId !== null) properties.user_id = userId;
	if (input.keepRaw) out.raw = raw;
	return out;
}
