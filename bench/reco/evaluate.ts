/**
 * The evaluation table of the README: leave-last-purchase-out (and one Time Cut-off row) hit rate@10 and MAP@10 of each
 * similarity against the popularity baseline, on the generated data (synthetic backbone) and
 * on CDNOW's customers and dates with generated products.
 *
 *   node -r ts-node/register/transpile-only bench/reco/evaluate.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { evaluate } from '../../nodes/engines/reco/evaluate';
import type { SimilarityKind } from '../../nodes/engines/reco/types';
import { cdnow, synthetic } from './generator';

// ../shared/data beside the repository (or beside the worktrees' parent)
const ROOT = path.resolve(__dirname, '../..');
const CDNOW = [path.resolve(ROOT, '../shared/data/cdnow/CDNOW_master.txt'), path.resolve(ROOT, '../../shared/data/cdnow/CDNOW_master.txt')].find((f) => fs.existsSync(f)) ?? '';

function main(): void {
	const sets = [
		{ name: 'synthetic: 20,000 customers, 5,000 products, 200,000 order lines (+ views)', data: synthetic({ customers: 20_000, products: 5_000, lines: 200_000, seed: 42 }) },
		{ name: 'CDNOW backbone: 23,570 customers, 69,659 orders, 5,000 generated products (+ views)', data: cdnow(process.env.CDNOW ?? CDNOW, { products: 5_000, seed: 7 }) },
	];
	console.log('| data | similarity | evaluated customers | hit rate@10 | MAP@10 | popularity hit rate@10 | popularity MAP@10 | slots filled by best sellers |');
	console.log('|---|---|---|---|---|---|---|---|');
	for (const set of sets) {
		for (const similarity of ['cosine', 'jaccard', 'llr'] as SimilarityKind[]) {
			const r = evaluate(set.data.interactions, { n: 10, train: { similarity } });
			console.log(`| ${set.name} | ${similarity} | ${r.customers_evaluated} | ${r.model.hit_rate} | ${r.model.map} | ${r.popularity.hit_rate} | ${r.popularity.map} | ${r.fill_share} |`);
		}
		const decayed = evaluate(set.data.interactions, { n: 10, train: { similarity: 'cosine', halfLifeDays: 180 } });
		console.log(`| ${set.name} | cosine, 180-day half-life | ${decayed.customers_evaluated} | ${decayed.model.hit_rate} | ${decayed.model.map} | ${decayed.popularity.hit_rate} | ${decayed.popularity.map} | ${decayed.fill_share} |`);
		// Split: Time Cut-off (latest 20% of the order lines are the test period): no later line is learnt from
		const cut = evaluate(set.data.interactions, { n: 10, train: { similarity: 'cosine' }, split: 'timeCutoff' });
		console.log(`| ${set.name} | cosine, Time Cut-off ${cut.cutoff.slice(0, 10)} (20%) | ${cut.customers_evaluated} | ${cut.model.hit_rate} | ${cut.model.map} | ${cut.popularity.hit_rate} | ${cut.popularity.map} | ${cut.fill_share} |`);
	}
}

main();
