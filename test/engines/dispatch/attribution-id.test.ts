/**
 * The `pz_message_id` dispatch writes must come back unchanged from every provider's engagement
 * webhooks (the output's `messageId` is what events carry as `email_id`). SES and Resend tags keep
 * only letters, digits, `_` and `-` (dispatch writes other characters as `_`, `tagSafe`), Postmark
 * keeps metadata values up to 80 characters.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { attributionMessageId } from '../../../nodes/engines/dispatch/engine';
import { tagSafe } from '../../../nodes/engines/dispatch/providers/batch-helpers';

const hashed = (key: string) => `pz-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32)}`;

describe('attributionMessageId', () => {
	it('keeps a key of at most 80 tag-safe characters as it is', () => {
		expect(attributionMessageId('pz-0123456789abcdef0123456789abcdef')).toBe('pz-0123456789abcdef0123456789abcdef');
		expect(attributionMessageId('order_1234-welcome')).toBe('order_1234-welcome');
		expect(attributionMessageId('a'.repeat(80))).toBe('a'.repeat(80));
	});

	it('hashes a key with other characters, so SES and Resend tags carry it unchanged and distinct keys stay distinct', () => {
		// Both would have come back from SES/Resend as "a_b".
		expect(attributionMessageId('a:b')).toBe(hashed('a:b'));
		expect(attributionMessageId('a.b')).toBe(hashed('a.b'));
		expect(attributionMessageId('a:b')).not.toBe(attributionMessageId('a.b'));
		expect(attributionMessageId('order:1234/welcome.v2')).toBe(hashed('order:1234/welcome.v2'));
		expect(attributionMessageId('a'.repeat(81))).toBe(hashed('a'.repeat(81)));
		expect(attributionMessageId('')).toBe(hashed(''));
	});

	it('for any key, what is written survives the strictest provider unchanged (tag-safe, at most 80 characters)', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 120 }), (key) => {
				const id = attributionMessageId(key);
				expect(tagSafe(id)).toBe(id);
				expect(id.length).toBeLessThanOrEqual(80);
			}),
			{ numRuns: 2000 },
		);
	});
});
