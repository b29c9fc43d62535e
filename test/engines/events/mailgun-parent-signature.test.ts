/**
 * Mailgun subaccounts: "When an event occurs for a domain belonging to a subaccount, the signature
 * payload will include a `parent-signature` field to identify the primary account … so that the
 * receiving server does not have to account for each individual subaccount signature and can
 * instead reference one primary/parent signature" ("Same as signature; only included when event
 * happens on a subaccount"):
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 * A credential holding the primary account's signing key must accept a subaccount's delivery by
 * its parent-signature; one holding the subaccount's key by its signature; any other key neither.
 */
import { createHmac } from 'node:crypto';
import { verifyMailgun } from '../../../nodes/engines/events/signatures/mailgun';

const PARENT_KEY = 'key-parent-0123456789abcdef0123456789ab';
const SUB_KEY = 'key-sub-fedcba9876543210fedcba9876543210';
const now = Date.UTC(2026, 10, 24, 9, 0, 0);
const timestamp = String(Math.floor(now / 1000) - 5);
const token = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123';
// As the documentation says to compute it: hex HMAC-SHA256 of timestamp + token.
const sign = (key: string) => createHmac('sha256', key).update(timestamp + token).digest('hex');

const delivery = (signature: Record<string, string>) => ({ signature: { timestamp, token, ...signature }, 'event-data': { event: 'delivered', id: 'ev-1' } });
const subaccountEvent = delivery({ signature: sign(SUB_KEY), 'parent-signature': sign(PARENT_KEY) });

describe('Mailgun parent-signature (events of a subaccount)', () => {
	it('accepts a subaccount\'s event with the primary account\'s key (parent-signature) or the subaccount\'s own key (signature)', () => {
		expect(verifyMailgun(subaccountEvent, PARENT_KEY, now)).toMatchObject({ ok: true });
		expect(verifyMailgun(subaccountEvent, SUB_KEY, now)).toMatchObject({ ok: true });
	});

	it('refuses any other key, a forged parent-signature, and the primary key when there is no parent-signature', () => {
		expect(verifyMailgun(subaccountEvent, 'key-someone-else-00000000000000000000', now)).toMatchObject({ ok: false, reason: 'invalid' });
		expect(verifyMailgun(delivery({ signature: sign(SUB_KEY), 'parent-signature': sign('key-forger') }), PARENT_KEY, now)).toMatchObject({ ok: false, reason: 'invalid' });
		expect(verifyMailgun(delivery({ signature: sign(SUB_KEY) }), PARENT_KEY, now)).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('still checks the timestamp when the parent-signature matches', () => {
		expect(verifyMailgun(subaccountEvent, PARENT_KEY, now + 3600_000)).toMatchObject({ ok: false, reason: 'expired' });
	});
});
