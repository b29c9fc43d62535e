/** Shared shape of email engagement events (SendGrid, Mailgun, Postmark, SES, Brevo, Resend). */
import type { CanonicalContext, CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { NormalizeInput } from '../../../../../nodes/engines/events/types';
import { compact, isoOf } from '../util';

export function engagementEvent(
	input: NormalizeInput,
	fields: {
		source: string;
		topic: string;
		event: string;
		messageId: string;
		timestamp: string;
		email: string | null;
		properties: Record<string, unknown>;
		context?: Record<string, unknown>;
		raw: unknown;
	},
): CanonicalEvent {
	// Built as `compact({ source, topic, ...context })` would build it, without the two copies.
	const context: CanonicalContext = { source: fields.source, topic: fields.topic };
	const extra = fields.context;
	if (extra) {
		for (const key in extra) {
			const value = extra[key];
			if (value !== undefined) context[key] = value;
			else if (key === 'source' || key === 'topic') delete context[key];
		}
	}
	const event: CanonicalEvent = {
		type: 'track',
		event: fields.event,
		messageId: fields.messageId,
		timestamp: fields.timestamp,
		receivedAt: isoOf(input.receivedAt),
		userId: null,
		anonymousId: fields.email ? null : fields.messageId,
		email: fields.email,
		properties: compact(fields.properties),
		context,
	};
	if (input.keepRaw) event.raw = fields.raw;
	return event;
}
