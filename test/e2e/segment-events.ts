/** Segment track/identify payloads (Segment spec: https://segment.com/docs/connections/spec/). */
let seq = 0;

export function track(userId: string, event: string, properties: Record<string, unknown>, traits: Record<string, unknown>, timestamp = new Date()): Record<string, unknown> {
	seq++;
	return {
		type: 'track',
		event,
		userId,
		messageId: `e2e-${userId}-${Date.now()}-${seq}`,
		timestamp: timestamp.toISOString(),
		properties,
		context: { traits },
	};
}

export function identify(userId: string, traits: Record<string, unknown>, timestamp = new Date()): Record<string, unknown> {
	seq++;
	return { type: 'identify', userId, messageId: `e2e-id-${userId}-${Date.now()}-${seq}`, timestamp: timestamp.toISOString(), traits };
}
