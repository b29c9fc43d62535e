/**
 * What each template's sticky note must tell its user before they run it, checked against the
 * template itself.
 *
 * - Trying a scheduled template: "Execute workflow" runs it in manual mode. n8n saves a run's
 *   workflow static data, where ESP Dispatch keeps its sent keys, only when the run is not manual
 *   (n8n 2.41 `execution-lifecycle-hooks.js`: `if (!isManualMode && … && newStaticData)
 *   saveStaticDataById`), so a manual run mails every chosen customer for real and the next
 *   scheduled run mails them again. Test Mode Address (every message to one address, not
 *   remembered) and Dry Run (nothing sent) are the ways to try it. The templates ship with
 *   neither set, so the note must name them.
 * - Queue mode: the Customer Profile store defaults to an SQLite file in the n8n folder of the
 *   process that runs the node. With several workers each has its own file: an execution resumed
 *   after a Wait on another worker, or a scheduled template, does not see what Record wrote
 *   elsewhere. Every Customer Profile node of every template must use one PostgreSQL store; the note
 *   says so and counts this workflow's nodes. The templates ship with one storage setting for all
 *   their nodes (switching some nodes only would split the store within the workflow too).
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

	it.each(scheduled.map((t) => [t.file, t.wf] as const))('%s: a manual run mails for real and is not remembered; the note says to set Test Mode Address or Dry Run on Send', (_file, wf) => {
		const send = wf.nodes.find((n) => n.type === `${P}espDispatch`)!;
		// shipped live: neither is set
		expect([send.parameters.dryRun ?? false, (send.parameters.options as Record<string, unknown>).testAddress ?? '']).toEqual([false, '']);
		const text = note(wf.nodes);
		expect(text).toContain('"Execute workflow" sends real email');
		expect(text).toContain("n8n does not save a manual run's sent keys");
		expect(text).toContain(`set ${send.name}'s Test Mode Address (Options) or turn on Dry Run`);
	});

	it.each(templates.map((t) => [t.file, t.wf] as const))('%s: the note says queue mode needs every Customer Profile node on one PostgreSQL store, counting this workflow\'s', (_file, wf) => {
		const profiles = wf.nodes.filter((n) => n.type === `${P}customerProfile`);
		expect(profiles.length).toBeGreaterThan(0);
		// one storage setting for all of them (as shipped: the default SQLite file)
		const storage = new Set(profiles.map((n) => JSON.stringify([n.parameters.storage ?? 'sqlite', n.parameters.databaseFile ?? '', n.credentials ?? null])));
		expect([...storage]).toEqual([JSON.stringify(['sqlite', '', null])]);
		const which = profiles.length === 1 ? 'the Customer Profile node' : profiles.length === 2 ? 'both Customer Profile nodes' : `all ${profiles.length} Customer Profile nodes`;
		const text = note(wf.nodes);
		expect(text).toContain(`Queue mode (several n8n workers): set ${which} of this workflow, and those of the other templates, to Storage PostgreSQL with one and the same credential.`);
		expect(text).toContain('The default SQLite file is per worker');
	});
});
