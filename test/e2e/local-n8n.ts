/**
 * A real n8n for end-to-end tests, the browser test and bench/e2e, started the way `npm start`
 * starts it (scripts/n8n-runtime.js), but in a temporary user folder, on free ports, with the
 * local SMTP inbox running in this process so tests can read what arrived.
 *
 * Everything goes through n8n's own surfaces, as an operator would: `n8n import:credentials`
 * and `n8n import:workflow` (CLI), owner set-up, login, activation and executions (REST API),
 * and real HTTP requests to the production webhook URLs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports */
const rt = require('../../scripts/n8n-runtime.js');
const setup = require('../../scripts/local-setup.js');
const { startInbox } = require('../../scripts/inbox.js');
/* eslint-enable @typescript-eslint/no-require-imports */

export const PREFIX: string = rt.PREFIX;
export const ROOT: string = rt.ROOT;

export interface Mail {
	id: number;
	receivedAt: string;
	envelope: { from?: string; to: string[] };
	from?: string;
	to?: string;
	subject?: string;
	messageId?: string;
	headers: Record<string, string>;
	text?: string;
	html?: string;
	size: number;
}

export interface Inbox {
	smtpPort: number;
	httpPort: number;
	messages: Mail[];
	clear(): void;
	close(): Promise<void>;
}

export interface RestClient {
	baseUrl: string;
	request<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T>;
	ownerLogin(owner: { email: string; firstName: string; lastName: string; password: string }): Promise<boolean>;
	workflows(): Promise<Array<{ id: string; name: string; active: boolean }>>;
	workflow(id: string): Promise<{ id: string; name: string; active: boolean; versionId: string; nodes: unknown[] }>;
	activate(id: string): Promise<unknown>;
	deactivate(id: string): Promise<unknown>;
	executions(workflowId?: string): Promise<{ count: number; results: Execution[] } | Execution[]>;
	execution(id: string): Promise<unknown>;
}

export interface Execution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; webhookId?: string; disabled?: boolean; credentials?: Record<string, { id: string; name: string }> }>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	meta?: Record<string, unknown>;
	[key: string]: unknown;
}

export const OWNER = { email: 'owner@example.com', firstName: 'Local', lastName: 'Owner', password: 'Local-owner-1' };

export interface LocalN8n {
	baseUrl: string;
	userFolder: string;
	logFile: string;
	rest: RestClient;
	inbox: Inbox;
	webhookUrl(pathOrId: string): string;
	/** Executions of one workflow, newest first. */
	executionsOf(workflowId: string): Promise<Execution[]>;
	stop(): Promise<void>;
}

export interface StartOptions {
	/** Workflows to import (already patched by the caller, e.g. shorter waits). */
	workflows: WorkflowJson[];
	/** Ids of the workflows to activate after start. Default: all. */
	activate?: string[];
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Keep the user folder after stop (for debugging). */
	keep?: boolean;
}

/** Builds, installs, imports and starts; resolves when n8n serves and the workflows are active. */
export async function startLocalN8n(options: StartOptions): Promise<LocalN8n> {
	rt.ensureN8n();
	rt.buildPackage();
	// Outside the repository, as a real ~/.n8n is: the package must resolve n8n-workflow from n8n
	// itself (n8n puts its own node_modules on NODE_PATH), not from our devDependencies.
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-n8n-e2e-'));
	if (userFolder.startsWith(ROOT)) throw new Error('the temporary folder must be outside the repository');
	rt.installPackage(userFolder);
	const inbox: Inbox = await startInbox({ smtpPort: 0, httpPort: 0 });
	const credentials = setup.localCredentials({ smtpPort: inbox.smtpPort });
	setup.importIntoUserFolder({ userFolder, credentials, workflows: options.workflows, publishIds: [] });
	const logFile = path.join(userFolder, 'n8n.log');
	let n8n: { baseUrl: string; stop(): Promise<void> };
	try {
		n8n = await rt.startN8n({ userFolder, logFile, extraEnv: options.env ?? {} });
	} catch (error) {
		await inbox.close();
		throw error;
	}
	const rest: RestClient = new rt.RestClient(n8n.baseUrl);
	const stop = async () => {
		await n8n.stop();
		await inbox.close();
		if (!options.keep && !process.env.PZ_KEEP_E2E) fs.rmSync(userFolder, { recursive: true, force: true });
	};
	try {
		await rest.ownerLogin(OWNER);
		const ids = options.activate ?? options.workflows.map((w) => w.id);
		for (const id of ids) await rest.activate(id);
		// n8n 2.x publishes through an outbox that a background consumer drains: wait until every
		// production webhook of the activated workflows is registered.
		const paths = options.workflows.filter((w) => ids.includes(w.id)).flatMap(webhookPaths);
		await Promise.all(paths.map((p) => waitForWebhook(`${n8n.baseUrl}/webhook/${p}`)));
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		baseUrl: n8n.baseUrl,
		userFolder,
		logFile,
		rest,
		inbox,
		webhookUrl: (p: string) => `${n8n.baseUrl}/webhook/${p}`,
		async executionsOf(workflowId: string) {
			const res = await rest.executions(workflowId);
			const list = Array.isArray(res) ? res : res.results;
			return list.filter((e) => e.workflowId === workflowId);
		},
		stop,
	};
}

/** Production webhook paths of a workflow's webhook nodes (`path` parameter, else the webhook id). */
export function webhookPaths(workflow: WorkflowJson): string[] {
	return workflow.nodes
		.filter((n) => n.webhookId && !n.disabled)
		.map((n) =>
			n.type === 'n8n-nodes-base.webhook'
				? String(n.parameters.path || n.webhookId).replace(/^\//, '')
				: // Our trigger's path is an expression of its source: n8n serves it under the node's webhook id.
					`${n.webhookId}/${String(n.parameters.source ?? 'shopify')}`,
		);
}

/** Polls a production webhook URL with OPTIONS (no execution) until n8n has registered it. */
export async function waitForWebhook(url: string, timeoutMs = 60000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://localhost', 'access-control-request-method': 'POST' } });
		await res.arrayBuffer();
		if (res.ok) return; // 204 once registered; 404/500 before
		if (Date.now() > deadline) throw new Error(`webhook ${url} was not registered within ${timeoutMs / 1000}s`);
		await sleep(250);
	}
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
		await sleep(250);
	}
}

export interface RunData {
	status: string;
	runData: Record<string, Array<{ startTime: number; executionTime: number; data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message: string } }>>;
}

/** One execution's run data (n8n serializes it with `flatted`; the copy n8n ships parses it). */
export async function executionRunData(n8n: LocalN8n, id: string): Promise<RunData> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(rt.RUNTIME, 'n8n', 'node_modules', 'flatted')) as { parse(s: string): unknown };
	const full = await n8n.rest.request<{ data: string; status: string }>('GET', `/rest/executions/${id}`);
	const data = flatted.parse(full.data) as { resultData: { runData: RunData['runData'] } };
	return { status: full.status, runData: data.resultData.runData };
}

/** Ids of a workflow's executions, newest first (up to `limit`). */
export async function executionIds(n8n: LocalN8n, workflowId: string, limit = 50): Promise<string[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await n8n.rest.request<{ results: Array<{ id: string }> }>('GET', `/rest/executions?filter=${filter}&limit=${limit}`);
	return res.results.map((r) => r.id);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until a mail matching `match` arrives (or fails after `timeoutMs`). */
export async function waitForMail(inbox: Inbox, match: (m: Mail) => boolean, timeoutMs = 30000): Promise<Mail> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = inbox.messages.find(match);
		if (found) return found;
		if (Date.now() > deadline) {
			const seen = inbox.messages.map((m) => `${m.envelope.to.join(',')}: ${m.subject}`).join('; ') || 'none';
			throw new Error(`no matching mail within ${timeoutMs / 1000}s (inbox: ${seen})`);
		}
		await sleep(200);
	}
}

/** Loads a template from templates/ by file name. */
export function readTemplate(file: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', file), 'utf8')) as WorkflowJson;
}

/** A copy of a workflow with every Wait node shortened to `seconds`. */
export function withShortWaits(workflow: WorkflowJson, seconds: number): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	for (const node of copy.nodes) {
		if (node.type === 'n8n-nodes-base.wait') {
			node.parameters = { ...node.parameters, resume: 'timeInterval', amount: seconds, unit: 'seconds' };
		}
	}
	return copy;
}

/**
 * A copy of a scheduled template whose Schedule Trigger is replaced by a Webhook node of the same
 * name at `path`, so a test starts "tonight's run" now with one POST (everything else unchanged).
 */
export function withRunNowWebhook(workflow: WorkflowJson, path: string): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	for (const node of copy.nodes) {
		if (node.type === 'n8n-nodes-base.scheduleTrigger') {
			node.type = 'n8n-nodes-base.webhook';
			(node as { typeVersion?: number }).typeVersion = 2;
			node.parameters = { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} };
			node.webhookId = path;
		}
	}
	return copy;
}

export function tmpDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
