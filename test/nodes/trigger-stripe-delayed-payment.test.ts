/**
 * Stripe Checkout with a delayed payment method (SEPA Debit, ACH, Bacs…): Stripe sends
 * checkout.session.completed with payment_status "unpaid", and the outcome days later as
 * checkout.session.async_payment_succeeded (the session now "paid") or
 * checkout.session.async_payment_failed (https://docs.stripe.com/checkout/fulfillment). Before,
 * both were unmapped: a workflow that kept only paid orders (as the README advised) never saw a
 * SEPA order, and an order whose debit failed stayed an Order Completed. Deliveries go through
 * the Personalization Trigger in n8n (test/harness/webhook.ts), signed like Stripe signs them.
 * Expected values by hand from the fixtures: 4500 euro cents = 45 EUR; created 1686349170 =
 * 2023-06-09T22:19:30Z, 1686435570 = 2023-06-10T22:19:30Z; order_id = the session's payment_intent.
 */
import { canonicalEventErrors } from '../harness/schema';
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
function body(name: string): Record<string, unknown> {
	const found = fixtures.find((f) => f.source === 'stripe' && f.name === name);
	if (!found) throw new Error(`no fixture stripe/${name}`);
	return JSON.parse(JSON.stringify(found.fixture.body)) as Record<string, unknown>;
}

/** The session as checkout.session.completed sends it for a SEPA Debit payment: same session, still unpaid. */
function completedUnpaid(): Record<string, unknown> {
	const b = body('checkout.session.async_payment_succeeded');
	b.id = 'evt_1NGxSepaCompleted01';
	b.type = 'checkout.session.completed';
	b.created = 1686089970; // 2023-06-06T22:19:30Z
	((b.data as Record<string, unknown>).object as Record<string, unknown>).payment_status = 'unpaid';
	return b;
}

let server: WebhookServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function deliver(payload: Record<string, unknown>) {
	server ??= await startWebhook(triggerWorkflow('stripe', {}), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS.stripe, verificationKey: '', user: '', password: '', token: '' } },
	});
	const signed = signDelivery('stripe', JSON.stringify(payload));
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	return reply;
}

describe('Stripe delayed payment methods: the outcome of a checkout session paid later', () => {
	it('checkout.session.completed (unpaid), then async_payment_succeeded: one Order Completed, then an Order Paid of the same order', async () => {
		const completed = await deliver(completedUnpaid());
		expect(completed.events).toHaveLength(1);
		expect(completed.events[0]).toMatchObject({ event: 'Order Completed', properties: { order_id: 'pi_3NG8SepaDebit0001', payment_status: 'unpaid', total: 45, currency: 'EUR' } });

		const paid = await deliver(body('checkout.session.async_payment_succeeded'));
		// Before: an unmapped topic, acknowledged and ignored (the workflow did not run).
		expect(paid.events).toHaveLength(1);
		const [e] = paid.events;
		expect(e).toMatchObject({
			event: 'Order Paid',
			messageId: 'evt_1NGxSepaPaid00001',
			timestamp: '2023-06-09T22:19:30.000Z',
			userId: 'cus_NeZwdNtLEOXuvB',
			email: 'jenny.rosen@example.com',
			properties: { checkout_id: 'cs_test_sepa1', order_id: 'pi_3NG8SepaDebit0001', total: 45, value: 45, currency: 'EUR', payment_status: 'paid', campaign_id: 'spring-sale', variant: 'B' },
			context: { source: 'stripe', topic: 'checkout.session.async_payment_succeeded' },
		});
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('async_payment_failed: an Order Cancelled of the same order (what withdraws an order), with its attribution', async () => {
		const reply = await deliver(body('checkout.session.async_payment_failed'));
		expect(reply.events).toHaveLength(1);
		const [e] = reply.events;
		expect(e).toMatchObject({
			event: 'Order Cancelled',
			messageId: 'evt_1NGxSepaFailed0001',
			timestamp: '2023-06-10T22:19:30.000Z',
			userId: 'cus_NeZwdNtLEOXuvB',
			email: 'jenny.rosen@example.com',
			properties: { order_id: 'pi_3NG8SepaDebit0001', total: 45, currency: 'EUR', payment_status: 'unpaid', campaign_id: 'spring-sale', variant: 'B' },
			context: { source: 'stripe', topic: 'checkout.session.async_payment_failed' },
		});
		expect(canonicalEventErrors(e)).toEqual([]);
	});
});
