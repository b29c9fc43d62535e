import type { Channel, DispatchItem, Unit } from '../../nodes/engines/dispatch/engine';
import type { MessageResult } from '../../nodes/engines/dispatch/types';

export function renderedItems(n: number, extra: Partial<DispatchItem> = {}, offset = 0): DispatchItem[] {
	return Array.from({ length: n }, (_, k) => {
		const i = k + offset;
		return {
			index: k,
			to: { email: `user${i}@example.com`, name: `User ${i}` },
			from: { email: 'news@shop.example.com', name: 'Shop' },
			subject: `Hello User ${i}`,
			html: `<html><body><h1>Hi User ${i}</h1><p>Your picks: item-${i % 17}</p></body></html>`,
			text: `Hi User ${i}\nYour picks: item-${i % 17}`,
			campaignId: 'spring-sale',
			...extra,
		};
	});
}

/** No real waiting: a fake clock that sleeping moves on; records the delays asked for. */
export function fakeSleep(): { sleep: (ms: number) => Promise<void>; now: () => number; delays: number[] } {
	const delays: number[] = [];
	let t = Date.now();
	return {
		delays,
		now: () => t,
		sleep: async (ms: number) => {
			delays.push(ms);
			t += ms;
		},
	};
}

/**
 * A test channel that puts two messages in each request, in order, whatever their senders, and
 * answers each request with `answer` (given the request and its 1-based number); `sent` lists the
 * message indexes of every request.
 */
export function pairsChannel(
	answer: (unit: Unit, call: number) => MessageResult[],
	options: { acceptsIdempotencyKey?: boolean } = {},
): Channel & { sent: number[][] } {
	const sent: number[][] = [];
	return {
		sent,
		id: 'pairs',
		displayName: 'Pairs',
		maxBatch: { rendered: 2, template: 2 },
		acceptsIdempotencyKey: options.acceptsIdempotencyKey ?? true,
		plan: (messages) => {
			const units: Unit[] = [];
			for (let i = 0; i < messages.length; i += 2) units.push({ messages: messages.slice(i, i + 2) });
			return units;
		},
		async send(unit) {
			sent.push(unit.messages.map((m) => m.index));
			return answer(unit, sent.length);
		},
	};
}
