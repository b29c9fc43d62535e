/**
 * What each template's sticky note must tell its user before they run it, checked against the
 * template itself.
 *
 * - Trying a scheduled template: "Execute workflow" runs it in manual mode and mails every chosen
 *   customer for real. n8n saves a run's workflow static data only when the run is not manual
 *   (n8n 2.41 `execution-lifecycle-hooks.js`: `if (!isManualMode && … && newStaticData)
 *   saveStaticDataById`), so with ESP Dispatch's default memory (static data) the next scheduled
 *   run mailed them again. The templates' Send nodes keep their sent keys in the profile store
 *   (Sent-Key Memory = Customer Profile Store), which a manual run fills too: the scheduled runs do
 *   not repeat its emails, but it did mail the customers. Test Mode Address (every message to one
 *   address, not remembered) and Dry Run (nothing sent) are the ways to try it without mailing
 *   them. The templates ship with neither set, so the note must name them.
 * - Queue mode: the Customer Profile store defaults to an SQLite file in the n8n folder of the
 *   process that runs the node. With several workers each has its own file: an execution resumed
 *   after a Wait on another worker, or a scheduled template, does not see what Record wrote
 *   elsewhere, nor the keys Send claimed elsewhere. Every Customer Profile node and every Send of
 *   every template must use one PostgreSQL store (credential and table prefix); the note says so,
 *   counts this workflow's Customer Profile nodes and names its Send. The templates ship with one
 *   storage setting for all these nodes (switching some nodes only would split the store within
 *   the workflow too).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { INode } from 'n8n-workflow';
import { P, PACKAGE_ROOT } from '../harness/engine';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
const templates = fs
	.readdirSync(TEMPLATES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((file) => ({ file, wf: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as { nodes: INode[] } }));
const note = (nodes: INode[]) => {
	const notes = nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
	expect(notes).toHaveLength(1);
	return String(notes[0].parameters.content);
};
const scheduled = templates.filter(({ wf }) => wf.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger'));

describe('templates: what the sticky notes say before a first run', () => {
	it('the scheduled templates are the nightly and the re-engagement ones', () => {
		expect(scheduled.map((t) => t.file)).toEqual(['nightly-rfm-vip.json', 're-engagement-dates.json']);
	});

	it.each(scheduled.map((t) => [t.file, t.wf] as const))('%s: a manual run mails for real and is remembered (store memory); the note says to set Test Mode Address or Dry Run on Send to try it', (_file, wf) => {
		const send = wf.nodes.find((n) => n.type === `${P}espDispatch`)!;
		// shipped live: neither is set; the sent keys in the profile store, which a manual run fills
		expect([send.parameters.dryRun ?? false, (send.parameters.options as Record<string, unknown>).testAddress ?? '', send.parameters.sentKeyMemory]).toEqual([false, '', 'profileStore']);
		const text = note(wf.nodes);
		expect(text).toContain('"Execute workflow" sends real email to the customers it picks.');
		expect(text).toContain(`${send.name} remembers those sends as it does a scheduled run's (its sent keys are in the profile store), so the scheduled runs do not send them the same email again within 30 days; but they have been mailed.`);
		expect(text).not.toContain("n8n does not save a manual run's sent keys");
		expect(text).toContain(`To try it without mailing customers, set ${send.name}'s Test Mode Address (Options: every message goes to that address and nothing is remembered) or turn on Dry Run (nothing is sent)`);
	});

	it.each(templates.map((t) => [t.file, t.wf] as const))('%s: the note says queue mode needs every Customer Profile node and Send on one PostgreSQL store, counting this workflow\'s', (_file, wf) => {
		const profiles = wf.nodes.filter((n) => n.type === `${P}customerProfile`);
		const sends = wf.nodes.filter((n) => n.type === `${P}espDispatch`);
		expect(profiles.length).toBeGreaterThan(0);
		// every Send (Send Emails or Forget Sent Keys) keeps its keys in the profile store
		expect(sends.map((n) => n.parameters.sentKeyMemory)).toEqual(sends.map(() => 'profileStore'));
		// one storage setting for all of them (as shipped: the default SQLite file, the default prefix)
		const storage = new Set(
			[...profiles, ...sends].map((n) =>
				JSON.stringify([n.parameters.storage ?? 'sqlite', n.parameters.databaseFile ?? '', (n.parameters.storeOptions as Record<string, unknown> | undefined)?.tablePrefix ?? 'pz_', n.credentials?.personalizationPostgresApi ?? null]),
			),
		);
		expect([...storage]).toEqual([JSON.stringify(['sqlite', '', 'pz_', null])]);
		const which = profiles.length === 1 ? 'the Customer Profile node' : profiles.length === 2 ? 'both Customer Profile nodes' : `all ${profiles.length} Customer Profile nodes`;
		const and = sends.map((n) => ` and ${n.name}`).join('');
		const text = note(wf.nodes);
		expect(text).toContain(`Queue mode (several n8n workers): set ${which}${and} of this workflow, and those of the other templates, to Storage PostgreSQL with one and the same credential and Table Prefix`);
		if (sends.length) expect(text).toContain(`(${sends.map((n) => n.name).join(' and ')} keeps its sent keys in that store: Sent-Key Memory)`);
		expect(text).toContain('The default SQLite file is per worker');
	});
});
