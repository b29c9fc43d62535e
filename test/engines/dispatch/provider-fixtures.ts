import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';

/** An outbound message as the dispatch engine hands it to a provider. */
export function msg(index: number, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
	return {
		index,
		idempotencyKey: `key-${index}`,
		from: { email: 'news@shop.example', name: 'Shop News' },
		to: { email: `user${index}@example.com`, name: `User ${index}` },
		subject: `Hello User ${index}`,
		html: `<p>Hi User ${index}</p>`,
		text: `Hi User ${index}`,
		headers: {
			'List-Unsubscribe': `<https://shop.example/u/${index}>, <mailto:unsub@shop.example?subject=u${index}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		},
		metadata: { pz_message_id: `m-${index}`, pz_campaign_id: 'spring', pz_variant: 'B' },
		tags: ['spring-sale'],
		...overrides,
	};
}

export function many(count: number, overrides: (i: number) => Partial<OutboundMessage> = () => ({})): OutboundMessage[] {
	return Array.from({ length: count }, (_, i) => msg(i, overrides(i)));
}
