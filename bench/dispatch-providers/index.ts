/**
 * bench/dispatch-providers: rendered messages (each with its own subject, ~1.3 KB HTML, text
 * and its own List-Unsubscribe) through the dispatch engine to local Resend-, Brevo- and
 * Mandrill-compatible servers (test/dispatch/servers/lean-providers.ts), against one request
 * per message (n8n's built-in email nodes: one API call per item) in the same run, over the
 * same transport and concurrency. Mailgun is not here: its form-encoded body does not fit the
 * shared JSON fault server; its batching (1,000 recipients per request) is checked by
 * test/engines/dispatch/mailgun.test.ts. SES rendered mode has no batch API (1 per request).
 *
 * Mandrill shares one call only between messages with identical headers, so its items here use
 * one shared unsubscribe URL (a per-recipient URL would mean one call per message).
 */
import { dispatch, httpChannel, type DispatchItem } from '../../nodes/engines/dispatch/engine';
import { brevo } from '../../nodes/engines/dispatch/providers/brevo';
import { mandrill } from '../../nodes/engines/dispatch/providers/mandrill';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { EspProvider, Transport } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from '../../test/dispatch/servers/base';
import { LEAN_BREVO_KEY, LEAN_MANDRILL_KEY, LEAN_RESEND_KEY, brevoServer, mandrillServer, resendServer } from '../../test/dispatch/servers/lean-providers';
import type { BenchModule, Figure } from '../types';

function makeItems(n: number, sharedUnsubscribe: boolean): DispatchItem[] {
	const items: DispatchItem[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const products = Array.from({ length: 4 }, (_, k) => `<tr><td><a href="https://shop.example.com/p/sku-${(i * 7 + k) % 5000}?utm_campaign=spring">Organic cotton t-shirt ${k}</a></td><td>$${(19.99 + k).toFixed(2)}</td></tr>`).join('');
		items[i] = {
			index: i,
			to: { email: `customer${i}@example.com`, name: `Customer ${i}` },
			from: { email: 'news@shop.example.com', name: 'Example Shop' },
			subject: `Customer ${i}, your spring picks are here`,
			html: `<!doctype html><html><body style="font-family:Arial,sans-serif"><h1>Hi Customer ${i}</h1><p>We picked these for you, based on your last order #${100000 + i}:</p><table>${products}</table></body></html>`,
			text: `Hi Customer ${i}\nWe picked these for you, based on your last order #${100000 + i}.`,
			campaignId: 'spring-2026',
			attribution: { variant: i % 2 ? 'A' : 'B', segment: 'repeat-buyers' },
			unsubscribeUrl: sharedUnsubscribe ? 'https://shop.example.com/unsubscribe' : `https://shop.example.com/u/${i}`,
		};
	}
	return items;
}

interface RunFigures {
	messagesPerSecond: number;
	requests: number;
	peakRssMb: number;
	seconds: number;
}

async function runOnce(provider: EspProvider, server: ProviderServer, transport: Transport, items: DispatchItem[], batchSize?: number): Promise<RunFigures> {
	server.reset();
	(global as { gc?: () => void }).gc?.();
	let peak = process.memoryUsage().rss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
	const started = process.hrtime.bigint();
	const report = await dispatch(items, httpChannel(provider, { baseUrl: server.url }, transport), { mode: 'rendered', batchSize, limits: { concurrency: 8 } });
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	const ok = report.outcomes.filter((o) => o.status === 'sent' || o.status === 'queued').length;
	if (ok !== items.length || server.accepted.length !== items.length) {
		throw new Error(`${provider.id}: ${ok} ok outcomes, ${server.accepted.length} accepted of ${items.length}`);
	}
	return { messagesPerSecond: items.length / seconds, requests: report.requests, peakRssMb: peak / 1048576, seconds };
}

export const bench: BenchModule = {
	async run({ quick }) {
		const n = quick ? 10000 : 100000;
		const b = quick ? 2000 : 10000;
		const baseName = `one request per message, measured on ${b.toLocaleString('en-US')}`;
		const figures: Figure[] = [];
		const cases: Array<{ provider: EspProvider; server: ProviderServer; auth: Record<string, string>; bodyKey?: string; shared: boolean; fewer: string }> = [
			{ provider: resend, server: resendServer({ seed: 1, faultRate: 0 }), auth: { Authorization: `Bearer ${LEAN_RESEND_KEY}` }, shared: false, fewer: '>= 100x fewer (Resend batch: 100 per request)' },
			{ provider: brevo, server: brevoServer({ seed: 1, faultRate: 0 }), auth: { 'api-key': LEAN_BREVO_KEY }, shared: false, fewer: '>= 100x fewer' },
			{ provider: mandrill, server: mandrillServer({ seed: 1, faultRate: 0 }), auth: {}, bodyKey: LEAN_MANDRILL_KEY, shared: true, fewer: '>= 100x fewer' },
		];
		for (const c of cases) {
			await c.server.start();
			const items = makeItems(n, c.shared);
			const raw = nodeHttpTransport({ headers: c.auth, timeoutMs: 60000, maxSockets: 8 });
			const transport: Transport = c.bodyKey
				? (r) => raw({ ...r, body: JSON.stringify({ key: c.bodyKey, ...(JSON.parse(r.body) as Record<string, unknown>) }) })
				: raw;
			try {
				const batched = await runOnce(c.provider, c.server, transport, items);
				const single = await runOnce(c.provider, c.server, transport, items.slice(0, b), 1);
				if (single.requests !== b) throw new Error(`baseline made ${single.requests} requests for ${b} messages`);
				process.stderr.write(`${c.provider.displayName}: batched ${batched.seconds.toFixed(1)} s, ${batched.requests} requests; one-per-message ${single.seconds.toFixed(1)} s for ${b}\n`);
				figures.push(
					{
						name: `${c.provider.displayName}: messages/s, ${n.toLocaleString('en-US')} rendered`,
						value: batched.messagesPerSecond,
						unit: 'msg/s',
						baseline: { name: baseName, value: single.messagesPerSecond },
						better: 'higher',
						target: '>= 5,000 msg/s',
					},
					{
						name: `${c.provider.displayName}: HTTP requests for ${n.toLocaleString('en-US')} messages`,
						value: batched.requests,
						unit: 'requests',
						baseline: { name: 'one request per message', value: n },
						better: 'lower',
						target: c.fewer,
					},
					{
						name: `${c.provider.displayName}: peak RSS while sending (process, incl. server and items)`,
						value: batched.peakRssMb,
						unit: 'MB',
						baseline: { name: baseName, value: single.peakRssMb },
						better: 'lower',
					},
				);
			} finally {
				raw.close();
				await c.server.stop();
			}
		}
		return figures;
	},
};

export const run = bench.run;
