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
 * or null. The event needs an identity (the profile refuses one with none): the email, else the
 * userId; only with neither is the event's own messageId its anonymousId.
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
		userId,
		anonymousId: email || userId ? null : messageId,
		email,
		properties,
		context,
	};
	if (input.keepRaw) out.raw = raw;
	return out;
}
