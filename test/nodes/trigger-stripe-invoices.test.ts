/**
 * Stripe subscription payments through the Personalization Trigger in n8n (test/harness/webhook.ts),
 * signed as Stripe signs them. A renewal's invoice.paid is an Order Completed; the same invoice's
 * invoice.payment_succeeded (an endpoint subscribed to both topics gets both) and, for a
 * subscription bought through Checkout, the checkout.session.completed naming that invoice, are
 * the same order: one messageId (`order:<invoice id>`), so the trigger runs the workflow once.
 * Before, invoice.* topics were unknown: acknowledged and ignored, no run.
 * Expected values by hand from the fixture: 1000 cents of USD = 10.
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
const objectOf = (b: Record<string, unknown>) => (b.data as Record<string, Record<string, unknown>>).object;

let server: WebhookServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function deliver(workflowId: string, payload: Record<string, unknown>) {
	server ??= await startWebhook(triggerWorkflow('stripe', {}), {
		workflowId,
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS.stripe, verificationKey: '', user: '', password: '', token: '' } },
	});
	const signed = signDelivery('stripe', JSON.stringify(payload));
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	return reply;
}

describe('Stripe invoices through the trigger: one Order Completed per paid invoice', () => {
	it('invoice.paid runs the workflow with an Order Completed; the same invoice\'s invoice.payment_succeeded is a duplicate', async () => {
		const paid = await deliver('stripe-invoices-both-topics', body('invoice.paid'));
		expect(paid.events).toHaveLength(1);
		const [e] = paid.events;
		expect(e).toMatchObject({
			event: 'Order Completed',
			messageId: 'order:in_1MtHbELkdIwHu7ixl4OzzPMv',
			userId: 'cus_NeZwdNtLEOXuvB',
			email: 'jennyrosen@example.com',
			properties: { order_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv', billing_reason: 'subscription_cycle', total: 10, currency: 'USD' },
			context: { source: 'stripe', topic: 'invoice.paid' },
		});
		expect(canonicalEventErrors(e as never)).toEqual([]);

		const succeeded = body('invoice.paid');
		succeeded.id = 'evt_1NhRenewalSucceeded1';
		succeeded.type = 'invoice.payment_succeeded';
		const second = await deliver('stripe-invoices-both-topics', succeeded);
		expect(second.workflowData).toBeUndefined();
		expect(second.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});

	it('a Checkout subscription: checkout.session.completed, then its first invoice\'s invoice.paid (subscription_create): one run', async () => {
		const session = body('checkout.session.completed');
		Object.assign(objectOf(session), { mode: 'subscription', payment_intent: null, subscription: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', invoice: 'in_1MtHbELkdIwHu7ixl4OzzPMv' });
		const first = await deliver('stripe-invoices-checkout', session);
		expect(first.events).toHaveLength(1);
		expect(first.events[0]).toMatchObject({ event: 'Order Completed', messageId: 'order:in_1MtHbELkdIwHu7ixl4OzzPMv', properties: { checkout_id: 'cs_test_a1b2c3' } });

		const invoice = body('invoice.paid');
		invoice.id = 'evt_1NhFirstInvoicePaid1';
		objectOf(invoice).billing_reason = 'subscription_create';
		const second = await deliver('stripe-invoices-checkout', invoice);
		expect(second.workflowData).toBeUndefined();
		expect(second.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});
});
