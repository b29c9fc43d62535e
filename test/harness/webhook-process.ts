/**
 * A trigger's webhook in another Node process: a second n8n webhook process in queue mode, with its
 * own memory and its own copy of the workflow's static data. Run by `startWebhookProcess`; the
 * child starts test/harness/webhook.ts's server with the settings it is given (JSON in argv) and
 * prints its URL; it ends when its stdin closes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { WorkflowJson } from './engine';

export interface WebhookProcessSettings {
	workflow: WorkflowJson;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	workflowId: string;
}

export interface WebhookProcess {
	url: string;
	/** POSTs to the child's trigger; the status and JSON body it answered. */
	post(body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }>;
	close(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');

export function startWebhookProcess(settings: WebhookProcessSettings): Promise<WebhookProcess> {
	const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/harness/webhook-process.ts', JSON.stringify(settings)], {
		cwd: ROOT,
		// its own n8n folder: n8n-core writes its instance settings there on first use, and two
		// processes writing one file at once may read it half-written
		env: {
			...process.env,
			TS_NODE_PROJECT: 'tsconfig.test.json',
			N8N_USER_FOLDER: fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-personalization-test-')),
		},
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return new Promise((resolve, reject) => {
		let out = '';
		child.once('exit', (code) => reject(new Error(`webhook process exited (${code}) before listening`)));
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
			const match = /^URL (\S+)$/m.exec(out);
			if (!match) return;
			child.stdout.removeAllListeners('data');
			resolve({
				url: match[1],
				async post(body, headers) {
					const response = await fetch(match[1], { method: 'POST', body, headers });
					const text = await response.text();
					let parsed: unknown = text;
					try {
						parsed = JSON.parse(text);
					} catch {
						// not JSON
					}
					return { status: response.status, body: parsed };
				},
				async close() {
					child.stdin.end();
					await exited;
				},
			});
		});
	});
}

async function main(): Promise<void> {
	require('../setup-env.js');
	const { startWebhook } = await import('./webhook');
	const settings = JSON.parse(process.argv[2]) as WebhookProcessSettings;
	const server = await startWebhook(settings.workflow, { credentials: settings.credentials, workflowId: settings.workflowId });
	process.stdout.write(`URL ${server.url}\n`);
	process.stdin.resume();
	process.stdin.on('end', () => process.exit(0));
}

if (require.main === module) void main();
