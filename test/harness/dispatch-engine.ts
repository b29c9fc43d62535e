/**
 * Building blocks of dispatch() engine tests: an item with the fields every message needs, and a
 * channel that records what it was given and answers each message as `answer` says (default: sent).
 */
import type { Channel, DispatchItem } from '../../nodes/engines/dispatch/engine';
import type { MessageResult, OutboundMessage } from '../../nodes/engines/dispatch/types';

export const dispatchItem = (index: number, extra: Partial<DispatchItem> = {}): DispatchItem => ({
	index,
	to: { email: `user${index}@example.com` },
	from: { email: 'news@shop.example' },
	subject: 'Hi',
	html: '<p>Hi</p>',
	...extra,
});

export interface CaptureChannel extends Channel {
	/** Every message sent, in order. */
	readonly captured: OutboundMessage[];
}

export function captureChannel(answer: (m: OutboundMessage) => Omit<MessageResult, 'index'> = () => ({ status: 'sent' })): CaptureChannel {
	const captured: OutboundMessage[] = [];
	return {
		id: 'capture',
		displayName: 'Capture',
		maxBatch: { rendered: 10, template: 10 },
		acceptsIdempotencyKey: false,
		captured,
		plan: (messages) => [{ messages }],
		send: async (unit) => {
			captured.push(...unit.messages);
			return unit.messages.map((m) => ({ index: m.index, ...answer(m) }));
		},
	};
}
