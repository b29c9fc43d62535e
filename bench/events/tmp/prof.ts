import { deliveries } from '../index';
import { processDelivery } from '../../../nodes/engines/events/pipeline';
import { cacheCertificate } from '../../../nodes/engines/events/signatures/sns';
import { SNS_CERT_PEM, SNS_CERT_URL } from '../../../test/harness/signing';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
async function main() {
	cacheCertificate(SNS_CERT_URL, SNS_CERT_PEM);
	const list = deliveries(20000);
	const only = process.env.ONLY;
	const l2 = only ? list.filter((d) => d.input.sourceId === only) : list;
	for (let r = 0; r < 4; r++) for (const d of l2) await processDelivery(d.input);
	const s = new Session(); s.connect();
	await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 50 }); await s.post('Profiler.start');
	for (let r = 0; r < 10; r++) {
		const t = process.cpuUsage();
		for (const d of l2) await processDelivery(d.input);
		const u = process.cpuUsage(t);
		if (r % 3 === 0) console.log(((u.user + u.system) / l2.length).toFixed(2));
	}
	const { profile } = await s.post('Profiler.stop');
	writeFileSync('/tmp/prof/loop.cpuprofile', JSON.stringify(profile));
}
main();
