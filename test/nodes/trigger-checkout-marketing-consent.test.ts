/**
 * Cart-recovery emails are promotional: Stripe says customers must agree to them first
 * (https://docs.stripe.com/payments/checkout/abandoned-carts: the session's `consent.promotions`,
 * collected with `consent_collection.promotions`), and Shopify's checkout carries the buyer's
 * "email me with news and offers" box as `buyer_accepts_marketing` (Abandoned checkouts resource).
 * The canonical Checkout Abandoned / Checkout Started events dropped both, so a recovery workflow
 * could not tell an opted-out buyer from one who agreed. Now `properties.accepts_marketing`
 * (opt_in → true, opt_out → false; absent when the provider says nothing). Deliveries go through
 * the Personalization Trigger in n8n, signed as each provider signs them; fixtures are the
 * documented examples (test/fixtures/events).
 */
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
function fixture(source: string, name: string): { body: Record<string, unknown>; headers: Record<string, string> } {
	const found = fixtures.find((f) => f.source === source && f.name === name);
	if (!found) throw new Error(`no fixture ${source}/${name}`);
	return JSON.parse(JSON.stringify({ body: found.fixture.body, headers: found.fixture.headers ?? {} })) as { body: Record<string, unknown>; headers: Record<string, string> };
}

let server: WebhookServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function deliver(source: 'stripe' | 'shopify', body: Record<string, unknown>, headers: Record<string, string>) {
	server ??= await startWebhook(triggerWorkflow(source, {}), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS[source], verificationKey: '', user: '', password: '', token: '' } },
	});
	const signed = signDelivery(source, JSON.stringify(body), { headers });
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	expect(reply.events).toHaveLength(1);
	return reply.events[0] as { event: string; properties: Record<string, unknown> };
}

function session(body: Record<string, unknown>): Record<string, unknown> {
	return (body.data as Record<string, unknown>).object as Record<string, unknown>;
}

describe('checkout events keep the buyer\'s marketing consent', () => {
	it('Stripe checkout.session.expired: consent.promotions opt_in is accepts_marketing true, next to the recovery URL', async () => {
		const { body, headers } = fixture('stripe', 'checkout.session.expired');
		const e = await deliver('stripe', body, headers);
		expect(e.event).toBe('Checkout Abandoned');
		expect(e.properties).toMatchObject({ recovery_url: 'https://buy.stripe.com/r/live_asdf', accepts_marketing: true });
	});

	it('Stripe: opt_out is accepts_marketing false; no consent collected (consent null) leaves it out', async () => {
		const { body, headers } = fixture('stripe', 'checkout.session.expired');
		session(body).consent = { promotions: 'opt_out', terms_of_service: null };
		expect((await deliver('stripe', body, headers)).properties.accepts_marketing).toBe(false);

		const other = fixture('stripe', 'checkout.session.expired');
		other.body.id = 'evt_1NG8Du2eZvKYlo2CExpired2';
		session(other.body).consent = null;
		expect((await deliver('stripe', other.body, other.headers)).properties).not.toHaveProperty('accepts_marketing');
	});

	it('Shopify checkouts/create: buyer_accepts_marketing false is accepts_marketing false', async () => {
		const { body, headers } = fixture('shopify', 'checkouts-create');
		const e = await deliver('shopify', body, headers);
		expect(e.event).toBe('Checkout Started');
		expect(e.properties.accepts_marketing).toBe(false);
	});
});
