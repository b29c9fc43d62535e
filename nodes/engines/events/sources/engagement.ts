/** Shared shape of email engagement events (SendGrid, Mailgun, Postmark, SES, Brevo, Resend). */
import type { CanonicalEvent } from '../../types/CanonicalEvent';
import type { NormalizeInput } from '../types';
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
	return {
		type: 'track',
		event: fields.event,
		messageId: fields.messageId,
		timestamp: fields.timestamp,
		receivedAt: isoOf(input.receivedAt),
		userId: null,
		anonymousId: fields.email ? null : fields.messageId,
		email: fields.email,
		properties: compact(fields.properties),
		context: compact({ source: fields.source, topic: fields.topic, ...fields.context }),
		...(input.keepRaw ? { raw: fields.raw } : {}),
	};
}
