/**
 * bench/render: the reference email (nodes/RenderEmail/examples) for 10,000 recipients, compiled
 * once and rendered per recipient (HTML + text), against what most tools do: render Liquid into
 * the MJML, then compile MJML for every recipient (measured in the same run on fewer recipients
 * and reported per email). Also: cold compile time (incl. loading MJML) and size.
 *
 * "One core": Node renders on one thread; emails/s are computed from this process's CPU time
 * (user+system), which stays meaningful when other processes share the machine; the wall-clock
 * rate is reported beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandBlocks, normalizeBlocks } from '../../nodes/engines/render/blocks';
import { compileTemplate, renderCompiled, clearCompileCache, type TemplateInput } from '../../nodes/engines/render';
import { loadMjml } from '../../nodes/engines/render/mjml';
import { createEngines } from '../../nodes/engines/render/liquid';
import { evaluateBlockRules } from '../../nodes/engines/render/blocks';
import { htmlToText } from '../../nodes/engines/render/text';
import type { Figure } from '../types';

const examples = path.join(__dirname, '..', '..', 'nodes', 'RenderEmail', 'examples');

function template(): TemplateInput {
	return {
		format: 'mjml',
		body: fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8'),
		blocks: JSON.parse(fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8')),
		subject: '{{ profile.first_name | default: "Hi" }}, new picks for you',
		preheader: 'Fresh arrivals picked for {{ profile.first_name | default: "you" }}',
	};
}

const NAMES = ['Ada', 'Bo', 'Chen', 'Dara', 'Émile', 'Farah', '', 'Gus', 'Hana', 'Ines'];
const PRODUCTS = ['Merino crew sweater', 'Everyday chino', 'Trail jacket', 'Organic tee', 'Wool socks', 'Linen shirt', 'Canvas belt', 'Rain shell'];

export function recipients(n: number): Array<Record<string, unknown>> {
	const out: Array<Record<string, unknown>> = [];
	for (let i = 0; i < n; i++) {
		const recs = i % 7 === 0 ? [] : Array.from({ length: 4 + (i % 2) }, (_, k) => {
			const p = PRODUCTS[(i + k) % PRODUCTS.length];
			const slug = p.toLowerCase().replace(/\s+/g, '-');
			return { product_id: `p${(i * 3 + k) % 500}`, name: p, price: 19 + ((i + k) % 9) * 10 + 0.99, currency: 'USD', url: `https://shop.example.com/products/${slug}`, image_url: `https://cdn.example.com/products/${slug}.jpg` };
		});
		const cart = i % 3 === 0 ? { currency: 'USD', total: 79.48, checkout_url: `https://shop.example.com/cart/c-${i}`, items: [{ name: 'Linen shirt', price: 54.99, quantity: 1, image_url: 'https://cdn.example.com/products/linen-shirt.jpg' }, { name: 'Canvas belt', price: 24.49, quantity: 1, image_url: 'https://cdn.example.com/products/canvas-belt.jpg' }] } : undefined;
		out.push({
			profile: { first_name: NAMES[i % NAMES.length] || undefined, email: `user${i}@example.com`, city: i % 4 ? 'Lyon' : undefined, orders_count: i % 5, last_order_at: '2024-02-11T10:00:00Z', currency: 'USD', loyalty: i % 2 ? { points: 100 + (i % 50) * 25, tier: 'Gold' } : undefined },
			campaign: { id: 'spring_2024' },
			recommendations: recs,
			...(cart ? { cart } : {}),
			unsubscribe_url: `https://shop.example.com/email/unsubscribe?u=${i}`,
		});
	}
	return out;
}

const cpuMs = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
};

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const input = template();
	const n = quick ? 2000 : 10000;
	const nBaseline = quick ? 20 : 100;
	const data = recipients(n);

	// Cold compile: loads MJML (once per process), inlines blocks, compiles, parses Liquid.
	let t0 = performance.now();
	const ct = await compileTemplate(input);
	const coldMs = performance.now() - t0;
	const mjmlLoadMs = (await loadMjml()).loadMs;
	clearCompileCache();
	t0 = performance.now();
	await compileTemplate(input);
	const warmCompileMs = performance.now() - t0;

	// Ours: compiled once, rendered per recipient (HTML + text + warnings).
	for (let i = 0; i < 200; i++) renderCompiled(ct, data[i % data.length]); // warm-up
	let bytes = 0;
	let c0 = cpuMs();
	t0 = performance.now();
	for (const d of data) bytes += renderCompiled(ct, d).size_bytes;
	const oursWall = performance.now() - t0;
	const oursCpu = cpuMs() - c0;

	// Baseline: Liquid rendered into the MJML source, then MJML compiled per recipient, then text.
	const api = await loadMjml();
	const expanded = expandBlocks(input.body, normalizeBlocks(input.blocks));
	const engines = createEngines(input.liquid);
	const liquidMjml = engines.html.parse(expanded.text);
	const baseline = async (d: Record<string, unknown>) => {
		const globals = { __pz: { shown: [], rules: evaluateBlockRules(expanded.structured, d), subject: '', preheader: '' } };
		const mjmlSource = engines.html.renderSync(liquidMjml, d, { globals }) as string;
		const { html } = await api.compile(mjmlSource, {}); // mjml's defaults, as a typical integration calls it
		return htmlToText(html).length + html.length;
	};
	for (let i = 0; i < 3; i++) await baseline(data[i]); // warm-up
	let sink = 0;
	c0 = cpuMs();
	t0 = performance.now();
	for (let i = 0; i < nBaseline; i++) sink += await baseline(data[i]);
	const baseWall = performance.now() - t0;
	const baseCpu = cpuMs() - c0;
	if (sink < 0) console.log(sink);

	const oursRate = n / (oursCpu / 1000);
	const baseRate = nBaseline / (baseCpu / 1000);
	return [
		{
			name: `reference email (~${Math.round(bytes / n / 1024)} KB), emails/s on one core (CPU time), ${n.toLocaleString('en-US')} recipients, HTML+text`,
			value: oursRate,
			unit: 'emails/s',
			baseline: { name: `Liquid into MJML, MJML compiled per recipient (${nBaseline} recipients)`, value: baseRate },
			better: 'higher',
			target: '>= 3,000 emails/s and >= 30x the baseline',
		},
		{
			name: 'per-recipient time (CPU)',
			value: (oursCpu * 1000) / n,
			unit: 'µs/email',
			baseline: { name: 'MJML compiled per recipient', value: (baseCpu * 1000) / nBaseline },
			better: 'lower',
		},
		{
			name: 'emails/s wall clock (machine shared)',
			value: n / (oursWall / 1000),
			unit: 'emails/s',
			baseline: { name: 'MJML compiled per recipient, wall clock', value: nBaseline / (baseWall / 1000) },
			better: 'higher',
		},
		{ name: 'cold compile (first template in the process, incl. loading MJML)', value: coldMs, unit: 'ms', better: 'lower' },
		{ name: 'of which loading MJML', value: mjmlLoadMs, unit: 'ms', better: 'lower' },
		{ name: 'compile with MJML loaded (cache cleared)', value: warmCompileMs, unit: 'ms', better: 'lower' },
		{ name: 'average rendered HTML size', value: bytes / n / 1024, unit: 'KB', better: 'lower', target: '~30 KB; < 102 KB (Gmail clipping)' },
	];
}
