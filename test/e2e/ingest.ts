/**
 * The cart-recovery template's ingest path (Personalization Trigger → Customer Profile record),
 * cut out of templates/cart-abandonment-recovery.json so bench/e2e measures exactly what the
 * template does on every incoming event, without the wait and the email.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalN8n, WorkflowJson } from './local-n8n';
import { PREFIX, ROOT } from './local-n8n';
import { post, shopify } from './signing';

export interface IngestPath {
	workflowId: string;
	workflows: WorkflowJson[];
	/** Names of the nodes that are ours (their executionTime counts as "our nodes"). */
	ourNodes: string[];
	send(n8n: LocalN8n, i: number): Promise<Response>;
}

export const CART_TEMPLATE = 'cart-abandonment-recovery.json';

/** Production webhook path of a Personalization Trigger: `<webhookId>/<source>`. */
export function triggerPath(node: WorkflowJson['nodes'][number]): string {
	return `${node.webhookId}/${String(node.parameters.source ?? 'shopify')}`;
}

/** A Shopify checkouts/update for customer `i` (documented checkout fields). */
export function shopifyCheckout(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: 900000 + i,
		token: `checkout-token-${i}`,
		cart_token: `cart-token-${i}`,
		email: `bench.customer.${i}@example.com`,
		created_at: new Date(Date.now() - 60000).toISOString(),
		updated_at: new Date().toISOString(),
		completed_at: null,
		currency: 'USD',
		presentment_currency: 'USD',
		total_price: '59.90',
		subtotal_price: '59.90',
		abandoned_checkout_url: `https://local-test-shop.myshopify.com/checkouts/ac/${i}/recover`,
		customer: { id: 700000 + i, email: `bench.customer.${i}@example.com`, first_name: 'Bench', last_name: `Customer${i}`, accepts_marketing: true },
		line_items: [
			{ product_id: 1001, variant_id: 2001, title: 'Organic cotton t-shirt', quantity: 2, price: '19.95', sku: 'TEE-1' },
			{ product_id: 1002, variant_id: 2002, title: 'Canvas tote bag', quantity: 1, price: '20.00', sku: 'TOTE-1' },
		],
		...overrides,
	};
}

/** `dedupe: false` turns the trigger's Drop Duplicates option off (bench/e2e measures its cost). */
export function cartIngestPath({ dedupe = true }: { dedupe?: boolean } = {}): IngestPath | undefined {
	const file = path.join(ROOT, 'templates', CART_TEMPLATE);
	if (!fs.existsSync(file)) return undefined;
	const template = JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowJson;
	const trigger = template.nodes.find((n) => n.type === `${PREFIX}personalizationTrigger` && n.parameters.source === 'shopify');
	if (!trigger) return undefined;
	const connections = template.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
	// Follow the trigger's first output to the first Customer Profile node.
	const chain = [trigger.name];
	let current = trigger.name;
	for (;;) {
		const next = connections[current]?.main?.[0]?.[0]?.node;
		if (!next) break;
		chain.push(next);
		current = next;
		const node = template.nodes.find((n) => n.name === next);
		if (node?.type === `${PREFIX}customerProfile`) break;
	}
	const nodes = template.nodes.filter((n) => chain.includes(n.name));
	const cut: Record<string, unknown> = {};
	for (let k = 0; k < chain.length - 1; k++) cut[chain[k]] = { main: [[{ node: chain[k + 1], type: 'main', index: 0 }]] };
	const webhookId = dedupe ? 'pz-bench-cart-ingest' : 'pz-bench-cart-ingest-nodedupe';
	const workflow: WorkflowJson = {
		...template,
		id: dedupe ? 'pzBenchCartIngest' : 'pzBenchCartNoDedup',
		name: dedupe ? 'bench: cart ingest path' : 'bench: cart ingest path, Drop Duplicates off',
		nodes: nodes.map((n) =>
			n.name === trigger.name
				? { ...n, webhookId, id: 'bench-trigger', parameters: dedupe ? n.parameters : { ...n.parameters, options: { ...(n.parameters.options as object), dedupe: false } } }
				: { ...n, id: `bench-${n.name.replace(/\W+/g, '-')}` },
		),
		connections: cut,
	};
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const setup = require('../../scripts/local-setup.js') as { missingNodeTypes(wf: unknown): string[] };
	if (setup.missingNodeTypes(workflow).length) return undefined;
	const url = `${webhookId}/shopify`;
	return {
		workflowId: workflow.id,
		workflows: [workflow],
		ourNodes: nodes.filter((n) => n.type.startsWith(PREFIX)).map((n) => n.name),
		send: (n8n, i) => post(n8n.webhookUrl(url), shopify('checkouts/update', shopifyCheckout(i), `bench-delivery-${i}-${Date.now()}`)),
	};
}
