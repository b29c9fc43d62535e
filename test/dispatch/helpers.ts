import type { DispatchItem } from '../../nodes/engines/dispatch/engine';

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
