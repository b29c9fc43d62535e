/**
 * A CPU profile of the events full path (processDelivery over the bench's mixed deliveries), for
 * finding where its time goes. Not a benchmark (bench/run.ts runs index.ts only):
 *
 *   node -r ts-node/register/transpile-only bench/events/profile.ts [out.cpuprofile]
 *   ONLY=ses node -r ts-node/register/transpile-only bench/events/profile.ts   # one source
 *
 * Prints CPU µs per delivery of the profiled rounds and the functions with the most self time;
 * the .cpuprofile file opens in Chrome DevTools (Performance) or VS Code. Builtins such as
 * JSON.parse show as self time of their caller.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { deliveries } from './index';
import { processDelivery } from '../../nodes/engines/events/pipeline';
import { cacheCertificate } from '../../nodes/engines/events/signatures/sns';
import { SNS_CERT_PEM, SNS_CERT_URL } from '../../test/harness/signing';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
}

async function main(): Promise<void> {
	const out = process.argv[2] ?? 'events.cpuprofile';
	cacheCertificate(SNS_CERT_URL, SNS_CERT_PEM);
	const only = process.env.ONLY;
	const list = deliveries(20000).filter((d) => !only || d.input.sourceId === only);
	if (list.length === 0) throw new Error(`no deliveries of source "${only}"`);
	for (let r = 0; r < 4; r++) for (const d of list) await processDelivery(d.input); // warm up
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 50 });
	await session.post('Profiler.start');
	const start = process.cpuUsage();
	const rounds = 10;
	for (let r = 0; r < rounds; r++) for (const d of list) await processDelivery(d.input);
	const used = process.cpuUsage(start);
	const { profile } = await session.post('Profiler.stop');
	writeFileSync(out, JSON.stringify(profile));
	console.log(`${list.length} deliveries × ${rounds} rounds: ${((used.user + used.system) / (rounds * list.length)).toFixed(2)} CPU µs per delivery (profiler on); profile in ${out}`);

	const byId = new Map((profile.nodes as ProfileNode[]).map((n) => [n.id, n]));
	const self = new Map<string, number>();
	let total = 0;
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	for (let i = 0; i < samples.length; i++) {
		const frame = byId.get(samples[i])?.callFrame;
		if (!frame) continue;
		const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
		self.set(key, (self.get(key) ?? 0) + deltas[i]);
		total += deltas[i];
	}
	for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
		console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
