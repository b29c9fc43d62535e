/**
 * Custom source: an identify call is the canonical Identify, with traits.
 * - A Segment-style payload names the call in `type` (`"type": "identify"`, lower case, with the
 *   user's `traits`: https://segment.com/docs/connections/spec/identify/). Mapped with Event Name
 *   Path `type`, it came out as a track event named `identify`, which no node knows.
 * - Customer Profile takes a customer's traits from an event's `traits` (and `context.traits`),
 *   never from its `properties`: a Custom Identify carried its traits in properties only, so the
 *   profile got no first name from it. Now the mapped object (Properties Path) is also `traits`.
 * - Other names are untouched: no traits, type track.
 */
import { custom } from '../../../nodes/engines/events/sources/custom';
import type { CustomMapping } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const mapping: CustomMapping = { eventPath: 'type', messageIdPath: 'messageId', timestampPath: 'timestamp', userIdPath: 'userId', emailPath: 'traits.email', propertiesPath: 'traits' };
const identifyCall = (type: string) => ({
	type,
	messageId: 'm-1',
	timestamp: '2026-01-02T10:00:00Z',
	userId: 'u-42',
	traits: { first_name: 'Ann', plan: 'gold', email: 'Ann@Example.com' },
});

describe('Custom source: identify calls', () => {
	it.each(['identify', 'Identify', ' IDENTIFY '])('%j is type identify, event Identify, with the mapped object as traits', (type) => {
		const [e] = custom.normalize({ payload: identifyCall(type), receivedAt, mapping });
		expect(e).toMatchObject({ type: 'identify', event: 'Identify', userId: 'u-42', email: 'ann@example.com', traits: { first_name: 'Ann', plan: 'gold' } });
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('through an Event Name Map too ({"signup_identify": "identify"})', () => {
		const [e] = custom.normalize({ payload: identifyCall('signup_identify'), receivedAt, mapping: { ...mapping, eventMap: { signup_identify: 'identify' } } });
		expect(e).toMatchObject({ type: 'identify', event: 'Identify', traits: { first_name: 'Ann' }, context: { topic: 'signup_identify' } });
	});

	it('a track name stays a track without traits', () => {
		const [e] = custom.normalize({ payload: identifyCall('quiz finished'), receivedAt, mapping });
		expect(e).toMatchObject({ type: 'track', event: 'quiz finished' });
		expect(e).not.toHaveProperty('traits');
	});
});
