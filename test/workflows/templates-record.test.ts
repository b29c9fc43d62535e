/**
 * The templates' Record event nodes keep the good events of a delivery when one is refused.
 *
 * The trigger answers 200 and remembers the delivery's id before the workflow runs, so the
 * provider never sends it again: if one refused event failed the whole Record node, every other
 * event of that delivery (a SendGrid batch carries up to 1,000) would be lost for good. The
 * templates therefore set Record event to "On Error: Continue (using error output)" and send the
 * error output to a Stop and Error node, so the good events are recorded and the execution still
 * ends as failed (visible in the executions list and to an error workflow).
 *
 * The delivery goes through the template's own SendGrid trigger (n8n-core's WebhookContext, a real
 * HTTP request, ECDSA-signed), then its items through the template's own Record node in the real
 * engine. The Stop and Error node is n8n's own (n8n-nodes-base), which this harness does not load;
 * the end-to-end suite runs it in a real n8n.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, IDataObject, INode } from 'n8n-workflow';
import { P, PACKAGE_ROOT, runWorkflow } from '../harness/engine';
import { tempSqliteFile } from '../harness/profile-db';
import { SENDGRID_PUBLIC_KEY, signDelivery } from '../harness/signing';
import { startWebhook } from '../harness/webhook';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
type Template = { name: string; nodes: INode[]; connections: IConnections };
const templates = fs
	.readdirSync(TEMPLATES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((file) => ({ file, wf: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as Template }));

const isRecord = (n: INode) => n.type === `${P}customerProfile` && n.parameters.operation === 'record';
/**
 * Templates whose Record node is fed by a Personalization Trigger (events from a webhook), directly
 * or through a Filter (the cart template drops test events before they are recorded).
 */
const fedByTrigger = templates.filter(({ wf }) => {
	const feeds = (name: string, depth: number): boolean =>
		(wf.connections[name]?.main?.[0] ?? []).some((c) => {
			const n = wf.nodes.find((m) => m.name === c.node)!;
			return isRecord(n) || (depth > 0 && n.type === 'n8n-nodes-base.filter' && feeds(n.name, depth - 1));
		});
	return wf.nodes.some((n) => n.type === `${P}personalizationTrigger` && feeds(n.name, 1));
});

describe('templates: Record event', () => {
	it('is in four templates, each fed by a Personalization Trigger', () => {
		expect(fedByTrigger.map((t) => t.file)).toEqual(['ab-test-dynamic-vs-static.json', 'browse-abandonment.json', 'cart-abandonment-recovery.json', 'engagement-tracking.json']);
	});

	it.each(fedByTrigger.map((t) => [t.file, t.wf] as const))('%s: continues on error, its error output ends in Stop and Error naming the refusal', (_file, wf) => {
		const record = wf.nodes.find(isRecord)!;
		expect(record.onError).toBe('continueErrorOutput');
		const outputs = wf.connections[record.name].main;
		// Output 0 keeps its downstream nodes (or none: engagement tracking only records).
		expect(outputs).toHaveLength(2);
		expect(outputs[1]).toHaveLength(1);
		const stop = wf.nodes.find((n) => n.name === outputs[1]![0].node)!;
		expect(stop.type).toBe('n8n-nodes-base.stopAndError');
		expect(stop.parameters.errorMessage).toContain('$json.error');
		expect(wf.connections[stop.name]).toBeUndefined();
		// n8n runs the branches of an output top first: the error branch sits below the main one,
		// so the good events go on (Wait, send) before the execution is failed.
		const below = (outputs[0] ?? []).map((c) => wf.nodes.find((n) => n.name === c.node)!.position[1]);
		for (const y of below) expect(stop.position[1]).toBeGreaterThan(y);
	});

	it('engagement tracking: a signed SendGrid batch with one refused event records the other events; the refused one leaves on the error output', async () => {
		const { wf } = templates.find((t) => t.file === 'engagement-tracking.json')!;
		const triggerNode = { ...wf.nodes.find((n) => n.name === 'SendGrid events')!, disabled: false, credentials: { personalizationWebhookApi: { id: '1', name: 'Webhook secrets' } } };
		const server = await startWebhook(
			{ nodes: [triggerNode], connections: {} },
			{ credentials: { personalizationWebhookApi: { signingSecret: '', verificationKey: SENDGRID_PUBLIC_KEY } } },
		);
		let events: IDataObject[];
		try {
			const now = Math.floor(Date.now() / 1000);
			// SendGrid's documented event shapes (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
			const base = { email: 'ada@example.com', 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', sg_message_id: 'sg-msg-1.filter0001' };
			const batch = [
				{ ...base, timestamp: now - 120, event: 'delivered', sg_event_id: `sg-d-${now}`, response: '250 OK' },
				{ ...base, timestamp: now - 60, event: 'open', sg_event_id: `sg-o-${now}`, useragent: 'Mozilla/5.0', ip: '192.0.2.1' },
				// Dated three days ahead: the profile refuses it (a clock this far off would empty engagement).
				{ ...base, timestamp: now + 3 * 86400, event: 'click', sg_event_id: `sg-c-${now}`, url: 'https://shop.example.com/' },
			];
			const signed = signDelivery('sendgrid', JSON.stringify(batch));
			const reply = await server.post(signed.body, signed.headers);
			expect(reply.status).toBe(200);
			events = reply.events;
		} finally {
			await server.close();
		}
		expect(events.map((e) => e.event)).toEqual(['Email Delivered', 'Email Opened', 'Email Link Clicked']);

		const template = wf.nodes.find(isRecord)!;
		const record = { ...template, parameters: { ...template.parameters, databaseFile: tempSqliteFile() } };
		const workflow = { nodes: [record], connections: {} };
		const run = await runWorkflow(workflow, { input: events.map((json) => ({ json })) });
		expect(run.error).toBeUndefined();
		const [good, refused] = run.nodes[record.name].outputs;
		expect(good.map((i) => [i.json.event, (i.json.recorded as IDataObject).status, i.pairedItem])).toEqual([
			['Email Delivered', 'recorded', { item: 0 }],
			['Email Opened', 'recorded', { item: 1 }],
		]);
		expect(refused).toHaveLength(1);
		expect(refused[0].pairedItem).toEqual({ item: 2 });
		expect(String(refused[0].json.error)).toMatch(/^Item 2: .*timestamp/);

		// They are in the store: the same two again are duplicates.
		const again = await runWorkflow(workflow, { input: events.slice(0, 2).map((json) => ({ json })) });
		expect(again.nodes[record.name].outputs[0].map((i) => (i.json.recorded as IDataObject).status)).toEqual(['duplicate', 'duplicate']);
	});
});
