/**
 * SMTP Message-ID syntax, whatever the idempotency key holds.
 *
 * RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">", id-left = dot-atom-text / obs-id-left,
 * and §3.2.3: dot-atom-text = 1*atext *("." 1*atext), atext = ALPHA / DIGIT / one of
 * !#$%&'*+-/=?^_`{|}~ . So id-left is never empty, never starts or ends with a dot and never
 * holds two dots in a row. §2.1.1: a line is at most 998 characters (CRLF excluded), and a msg-id
 * has no folding white space inside, so it must fit on one line.
 */
import { compileMime } from '../../../nodes/engines/dispatch/smtp';
import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const DOT_ATOM = `${ATEXT}(?:\\.${ATEXT})*`;
const MSG_ID = new RegExp(`^<(${DOT_ATOM})@(${DOT_ATOM})>$`);

function message(idempotencyKey: string, run?: string): OutboundMessage {
	return {
		index: 0,
		idempotencyKey,
		run,
		from: { email: 'shop@example.com' },
		to: { email: 'jane@example.org' },
		subject: 'Hello',
		text: 'Hello',
		headers: {},
		metadata: {},
	};
}

/** The Message-ID header of the compiled message, unfolded (RFC 5322 §2.2.3), and its longest line. */
async function messageIdOf(m: OutboundMessage): Promise<{ id: string; longestLine: number }> {
	const head = (await compileMime(m)).toString('utf8').split('\r\n\r\n')[0];
	const lines = head.split('\r\n');
	const start = lines.findIndex((l) => /^message-id:/i.test(l));
	let value = lines[start].replace(/^message-id:/i, '');
	for (let i = start + 1; i < lines.length && /^[ \t]/.test(lines[i]); i++) value += lines[i];
	return { id: value.trim(), longestLine: Math.max(...lines.map((l) => l.length)) };
}

describe('SMTP Message-ID is an RFC 5322 msg-id for any idempotency key', () => {
	const run = 'a1b2c3d4e5f6';
	const keys: Array<[string, string]> = [
		['a key of characters Message-ID cannot hold only (empty once stripped)', '注文'],
		['a key ending with a dot (two dots before the run)', 'order 42.'],
		['a key starting with a dot', '.order-42'],
		['a key with two dots in a row', 'order..42'],
		['a key of dots only', '...'],
		['a 2,000-character key (over a 998-character line)', 'k'.repeat(2000)],
		['a forgotten key (Forget Sent Keys suffix)', 'cart-recovery:42-forgotten-1700000000'],
	];
	for (const [name, key] of keys) {
		it(`${name}: with the run`, async () => {
			const { id, longestLine } = await messageIdOf(message(key, run));
			expect(id).toMatch(MSG_ID);
			expect(longestLine).toBeLessThanOrEqual(998);
			expect(MSG_ID.exec(id)![2]).toBe('example.com');
		});
		it(`${name}: a test send (no run, key test-<run>-<key>)`, async () => {
			const { id, longestLine } = await messageIdOf(message(`test-${run}-${key}`));
			expect(id).toMatch(MSG_ID);
			expect(longestLine).toBeLessThanOrEqual(998);
		});
	}

	it('two keys that differ only in characters Message-ID cannot hold still get two Message-IDs', async () => {
		const a = await messageIdOf(message('注文', run));
		const b = await messageIdOf(message('問合せ', run));
		expect(a.id).not.toBe(b.id);
	});

	it('a key Message-ID can hold is kept as it is, the run after a dot', async () => {
		expect((await messageIdOf(message('pz-0123abcd', run))).id).toBe('<pz-0123abcd.a1b2c3d4e5f6@example.com>');
		expect((await messageIdOf(message('cart-recovery:42'))).id).toBe('<cart-recovery42@example.com>');
	});
});
