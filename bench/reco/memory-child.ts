/** One training run in a fresh process, for bench/reco's peak-memory figure. */
import { train } from '../../nodes/engines/reco/train';
import { synthetic } from './generator';
import { naiveTrain } from './naive';

const [which, mode] = process.argv.slice(2);
const scale = mode === 'quick' ? 10 : 1;
const data = synthetic({ customers: 100_000 / scale, products: 20_000 / scale, lines: 1_000_000 / scale, seed: 42 });
const lines = data.interactions.filter((l) => l.kind !== 'view');
(globalThis as { gc?: () => void }).gc?.();
const dataRssMb = process.memoryUsage().rss / 1048576;
const before = process.resourceUsage().maxRSS / 1024;
const model = which === 'naive' ? naiveTrain(lines, 20).size : train(lines, { similarity: 'cosine', neighbors: 20 }).products.length;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`\n@@MEM@@${JSON.stringify({ dataRssMb: Math.max(dataRssMb, before), maxRssMb, model })}\n`);
