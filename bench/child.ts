/** Runs one benchmark folder in its own process, so its peak RSS is its own. */
import path from 'node:path';
import type { BenchModule } from './types';

async function main(): Promise<void> {
	const dir = process.argv[2];
	const quick = process.argv.includes('--quick');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const mod = require(path.resolve(__dirname, dir)) as BenchModule;
	const figures = await mod.run({ quick });
	const peakRssMb = process.resourceUsage().maxRSS / 1024;
	process.stdout.write(`\n@@RESULT@@${JSON.stringify({ figures, peakRssMb })}\n`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
