/**
 * bench/dispatch: 100,000 rendered messages (each with its own subject, ~1.3 KB HTML and a
 * text part) through the dispatch engine to the local Postmark- and SendGrid-compatible
 * servers (test/dispatch/servers, validating every request), against one request per message
 * (what n8n's built-in email nodes do: one API call per item) in the same run, over the same
 * transport and with the same concurrency (the baseline's best case: the built-in nodes send
 * one item after another).
 *
 * The servers run in this process, so the figures include the server's own parsing and
 * validation work on the same 2 shared cores.
 */
import { dispatch, httpChannel, type DispatchItem } from '../../nodes/engines/dispatch/engine';
import { postmark } from '../../nodes/engines/dispatch/providers/postmark';
import { sendgrid } from '../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { EspProvider } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from '../../test/dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../../test/dispatch/servers/postmark';
import { SENDGRID_KEY, sendgridServer } from '../../test/dispatch/servers/sendgrid';
import type { BenchModule, Figure } from '../types';

function makeItems(n: number): DispatchItem[] {
	const items: DispatchItem[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const products = Array.from({ length: 4 }, (_, k) => `<tr><td><a href="https://shop.example.com/p/sku-${(i * 7 + k) % 5000}?utm_campaign=spring">Organic cotton t-shirt ${k}</a></td><td>$${(19.99 + k).toFixed(2)}</td></tr>`).join('');
		items[i] = {
			index: i,
			to: { email: `customer${i}@example.com`, name: `Customer ${i}` },
			from: { email: 'news@shop.example.com', name: 'Example Shop' },
			subject: `Customer ${i}, your spring picks are here`,
			html: `<!doctype html><html><body style="font-family:Arial,sans-serif"><h1>Hi Customer ${i}</h1><p>We picked these for you, based on your last order #${100000 + i}:</p><table>${products}</table><p><a href="https://shop.example.com/u/${i}">Unsubscribe</a></p></body></html>`,
			text: `Hi Customer ${i}\nWe picked these for you, based on your last order #${100000 + i}.\nhttps://shop.example.com/p/sku-${(i * 7) % 5000}\nUnsubscribe: https://shop.example.com/u/${i}`,
			campaignId: 'spring-2026',
			attribution: { variant: i % 2 ? 'A' : 'B', segment: 'repeat-buyers' },
			unsubscribeUrl: `https://shop.example.com/u/${i}`,
		};
	}
	return items;
}

interface RunFigures {
	messagesPerSecond: number;
	requests: number;
	ok: number;
	peakRssMb: number;
	seconds: number;
	/** Process CPU (user + system) per 1,000 messages, in ms: robust when the machine is shared. */
	cpuMsPer1000: number;
}

async function runOnce(provider: EspProvider, server: ProviderServer, auth: Record<string, string>, items: DispatchItem[], batchSize?: number): Promise<RunFigures> {
	server.reset();
	const transport = nodeHttpTransport({ headers: auth, timeoutMs: 60000, maxSockets: 8, expectContinue: batchSize !== 1 });
	(global as { gc?: () => void }).gc?.();
	let peak = process.memoryUsage().rss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
	const cpu = process.cpuUsage();
	const started = process.hrtime.bigint();
	const report = await dispatch(items, httpChannel(provider, { baseUrl: server.url }, transport), { mode: 'rendered', batchSize, limits: { concurrency: 8 } });
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const used = process.cpuUsage(cpu);
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	transport.close();
	const ok = report.outcomes.filter((o) => o.status === 'sent' || o.status === 'queued').length;
	if (ok !== items.length || server.accepted.length !== items.length) {
		throw new Error(`${provider.id}: ${ok} ok outcomes, ${server.accepted.length} accepted of ${items.length}`);
	}
	return { messagesPerSecond: items.length / seconds, requests: report.requests, ok, peakRssMb: peak / 1048576, seconds, cpuMsPer1000: ((used.user + used.system) / 1000 / items.length) * 1000 };
}

export const bench: BenchModule = {
	async run({ quick }) {
		const n = quick ? 10000 : 100000;
		// One request per message is slow: it is measured on the first `b` messages (same data,
		// same transport and concurrency); its request count is one per message by construction.
		const b = quick ? 2000 : 10000;
		const items = makeItems(n);
		const baselineItems = items.slice(0, b);
		const baseName = `one request per message, measured on ${b.toLocaleString('en-US')}`;
		const avgHtml = Math.round(items.slice(0, 100).reduce((s, i) => s + (i.html?.length ?? 0), 0) / 100);
		const figures: Figure[] = [];
		const cases: Array<{ provider: EspProvider; server: ProviderServer; auth: Record<string, string> }> = [
			{ provider: postmark, server: postmarkServer({ lean: true }), auth: { 'X-Postmark-Server-Token': POSTMARK_TOKEN } },
			{ provider: sendgrid, server: sendgridServer({ lean: true }), auth: { Authorization: `Bearer ${SENDGRID_KEY}` } },
		];
		for (const c of cases) {
			await c.server.start();
			try {
				const batched = await runOnce(c.provider, c.server, c.auth, items);
				const single = await runOnce(c.provider, c.server, c.auth, baselineItems, 1);
				if (single.requests !== b) throw new Error(`baseline made ${single.requests} requests for ${b} messages`);
				process.stderr.write(`${c.provider.displayName}: batched ${batched.seconds.toFixed(1)} s, ${batched.requests} requests, peak ${Math.round(batched.peakRssMb)} MB; one-per-message ${single.seconds.toFixed(1)} s for ${b}, ${single.requests} requests, peak ${Math.round(single.peakRssMb)} MB\n`);
				figures.push(
					{
						name: `${c.provider.displayName}: messages/s, ${n.toLocaleString('en-US')} rendered (~${avgHtml} B HTML + text)`,
						value: batched.messagesPerSecond,
						unit: 'msg/s',
						baseline: { name: baseName, value: single.messagesPerSecond },
						better: 'higher',
						target: '>= 5,000 msg/s',
					},
					{
						name: `${c.provider.displayName}: CPU time per 1,000 messages (client + local server)`,
						value: batched.cpuMsPer1000,
						unit: 'ms',
						baseline: { name: baseName, value: single.cpuMsPer1000 },
						better: 'lower',
					},
					{
						name: `${c.provider.displayName}: HTTP requests for ${n.toLocaleString('en-US')} messages`,
						value: batched.requests,
						unit: 'requests',
						baseline: { name: 'one request per message', value: (single.requests / b) * n },
						better: 'lower',
						target: '>= 100x fewer',
					},
					{
						name: `${c.provider.displayName}: peak RSS while sending (process, incl. server and the ${n.toLocaleString('en-US')} items)`,
						value: batched.peakRssMb,
						unit: 'MB',
						baseline: { name: baseName, value: single.peakRssMb },
						better: 'lower',
					},
				);
			} finally {
				await c.server.stop();
			}
		}
		return figures;
	},
};

export const run = bench.run;
