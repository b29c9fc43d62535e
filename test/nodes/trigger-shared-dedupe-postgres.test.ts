/**
 * Duplicate Memory = PostgreSQL: n8n in queue mode runs several webhook processes, each with its
 * own memory and its own copy of the workflow's static data. Two copies of one delivery arriving at
 * once on two processes must run the workflow once, and a retry reaching the other process later
 * must be dropped too (with Workflow Static Data both run: README, "Duplicates"). The second
 * process is a real child process (test/harness/webhook-process.ts); both run the trigger through
 * n8n-core (test/harness/webhook.ts) on the local PostgreSQL (test/harness/profile-db.ts). A bad
 * Duplicate Table Prefix or no credential selected is our set-up, answered as a missing secret is
 * (500 "not configured correctly", the reason in n8n's log); before, it threw from webhook() on
 * every delivery (n8n's generic 500, nothing logged). A selected credential that n8n fails to hand
 * over (getCredentials throws: its own database failing, or the credential deleted; the node cannot
 * tell which) is answered 503 as a database down is: the sender retries (review 2, F4; before: 500).
 */
import net from 'node:net';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { Client } from 'pg';
import type { ICredentialTestFunctions, INodeType } from 'n8n-workflow';
import { closeAllStores } from '../../nodes/engines/profile';
import { P, loadPackage } from '../harness/engine';
import { dropPrefix, pgConnection, pgCredential, uniquePrefix } from '../harness/profile-db';
import { SENDGRID_PUBLIC_KEY, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';
import { startWebhookProcess, type WebhookProcess } from '../harness/webhook-process';

const processed = (loadFixtures().find((f) => f.source === 'sendgrid' && f.name === 'batch-all-events')!.fixture.body as Array<Record<string, unknown>>)[0];

const prefix = uniquePrefix('seen');
const webhookSecrets = { verificationKey: SENDGRID_PUBLIC_KEY };
const shared = (extra: Record<string, unknown> = {}) => ({
	duplicateMemory: 'postgres',
	options: { dedupeTablePrefix: prefix, dedupeWindowMinutes: 1, ...extra },
});
const workflow = (parameters: Record<string, unknown>) => {
	const json = triggerWorkflow('sendgrid', parameters);
	json.nodes[0].credentials = { ...json.nodes[0].credentials, personalizationPostgresApi: { id: 'pg-1', name: 'PostgreSQL' } };
	return json;
};

const servers: WebhookServer[] = [];
const children: WebhookProcess[] = [];
async function open(parameters: Record<string, unknown>, workflowId: string, postgres: Record<string, unknown> = pgCredential, mode?: 'manual') {
	const server = await startWebhook(workflow(parameters), {
		credentials: { personalizationWebhookApi: webhookSecrets, personalizationPostgresApi: postgres as never },
		workflowId,
		mode,
	});
	servers.push(server);
	return server;
}
async function openProcess(parameters: Record<string, unknown>, workflowId: string) {
	const child = await startWebhookProcess({
		workflow: workflow(parameters),
		credentials: { personalizationWebhookApi: webhookSecrets, personalizationPostgresApi: pgCredential },
		workflowId,
	});
	children.push(child);
	return child;
}
afterEach(async () => {
	await Promise.all([...servers.splice(0).map((s) => s.close()), ...children.splice(0).map((c) => c.close())]);
});
afterAll(async () => {
	await closeAllStores();
	await dropPrefix(prefix);
});

/** A signed SendGrid delivery of `processed` events with these sg_event_ids. */
function delivery(ids: string[]) {
	return signDelivery('sendgrid', JSON.stringify(ids.map((id) => ({ ...processed, sg_event_id: id }))));
}

const accepted = (body: unknown) => (body as { message?: string }).message === 'Accepted';

async function ageRows(minutes: number): Promise<number> {
	const client = new Client({ ...pgConnection, ssl: false });
	await client.connect();
	try {
		const result = await client.query(`UPDATE ${prefix}seen_ids SET seen_at = seen_at - $1`, [minutes * 60_000]);
		return result.rowCount ?? 0;
	} finally {
		await client.end();
	}
}

describe('Personalization Trigger: Duplicate Memory = PostgreSQL (shared by all n8n processes)', () => {
	it('the same delivery arriving at once on two processes runs the workflow once; a retry on either is dropped', async () => {
		const here = await open(shared(), 'pg-two-processes');
		const there = await openProcess(shared(), 'pg-two-processes');
		for (let n = 0; n < 10; n++) {
			const signed = delivery([`two-proc-${n}-a`, `two-proc-${n}-b`]);
			const [a, b] = await Promise.all([here.post(signed.body, signed.headers), there.post(signed.body, signed.headers)]);
			expect([a.status, b.status]).toEqual([200, 200]);
			// exactly one of the two ran the workflow, with both events; the other answered "duplicate"
			expect([a.body, b.body].filter(accepted)).toEqual([{ message: 'Accepted', events: 2, duplicates: 0 }]);
			expect([a.body, b.body].filter((x) => !accepted(x))).toEqual([{ message: 'Duplicate delivery ignored', duplicates: 2 }]);
			expect(a.workflowData !== undefined).toBe(accepted(a.body));
			// the provider's retry later, on the process that ran it and on the other one
			const retryHere = await here.post(signed.body, signed.headers);
			const retryThere = await there.post(signed.body, signed.headers);
			expect(retryHere.workflowData).toBeUndefined();
			expect(retryThere.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 2 });
		}
	});

	it('a retry after the Duplicate Window runs again', async () => {
		const server = await open(shared(), 'pg-window');
		const signed = delivery(['window-1']);
		expect((await server.post(signed.body, signed.headers)).events.map((e) => e.messageId)).toEqual(['window-1']);
		expect((await server.post(signed.body, signed.headers)).workflowData).toBeUndefined();
		// 61 s later the id is 1 s past the 1-minute window: recorded afresh, the workflow runs
		expect(await ageRows(61 / 60)).toBeGreaterThan(0);
		const later = signDelivery('sendgrid', signed.body);
		const after = await server.post(later.body, later.headers);
		expect(after.body).toEqual({ message: 'Accepted', events: 1, duplicates: 0 });
		expect(after.events.map((e) => e.messageId)).toEqual(['window-1']);
		// and is remembered again from then on
		expect((await server.post(later.body, later.headers)).workflowData).toBeUndefined();
	});

	it('a batch with events seen before (on another process) emits only the fresh ones', async () => {
		const there = await openProcess(shared(), 'pg-batch');
		const first = delivery(['batch-1', 'batch-2']);
		expect((await there.post(first.body, first.headers)).body).toEqual({ message: 'Accepted', events: 2, duplicates: 0 });
		const here = await open(shared(), 'pg-batch');
		const second = delivery(['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-3']);
		const reply = await here.post(second.body, second.headers);
		// batch-3 twice in one delivery: its second copy is a duplicate of the first
		expect(reply.body).toEqual({ message: 'Accepted', events: 2, duplicates: 3 });
		expect(reply.events.map((e) => e.messageId)).toEqual(['batch-0', 'batch-3']);
	});

	it('database unreachable or refusing the connection: 503 (the sender retries), nothing emitted, no secret in the answer or the log', async () => {
		const password = 'Sup3r-secret-pw-7q';
		// a port nothing listens on (bound, then released)
		const closedPort = await new Promise<number>((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const { port } = probe.address() as net.AddressInfo;
				probe.close(() => resolve(port));
			});
		});
		const logger = Container.get(Logger);
		const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
		try {
			for (const [name, credential] of [
				['down', { ...pgCredential, port: closedPort, password }],
				// the local server trusts 127.0.0.1 (any password logs in): a database it does not have refuses
				['refused', { ...pgCredential, database: 'pz_no_such_database', password }],
			] as const) {
				logged.mockClear();
				const server = await open(shared(), `pg-down-${name}`, credential);
				const signed = delivery([`down-${name}`]);
				const reply = await server.post(signed.body, signed.headers);
				expect(reply.status).toBe(503);
				expect(reply.workflowData).toBeUndefined();
				expect(reply.body).toEqual({ error: 'Temporarily unable to accept the delivery; please retry' });
				expect(logged).toHaveBeenCalledTimes(1);
				const text = `${reply.text}\n${String(logged.mock.calls[0][0])}`;
				expect(text).toContain('PostgreSQL duplicate memory failed');
				expect(text).not.toContain(password);
				expect(text).not.toMatch(/postgres(ql)?:\/\//);
			}
		} finally {
			logged.mockRestore();
		}
	});

	it.each([
		['a Duplicate Table Prefix not allowed (upper case)', shared({ dedupeTablePrefix: 'PZ_' }), true, 'Options → Duplicate Table Prefix: Table prefix "PZ_" is not allowed'],
		['a Duplicate Table Prefix not allowed (a hyphen)', shared({ dedupeTablePrefix: 'my-prefix' }), true, 'Options → Duplicate Table Prefix: Table prefix "my-prefix" is not allowed'],
		['no PostgreSQL credential selected', shared(), false, 'no Personalization PostgreSQL API credential is selected'],
	])('%s: 500 "not configured correctly" (as a missing secret), the log names it, the workflow does not run', async (_name, parameters, withCredential, reason) => {
		const logger = Container.get(Logger);
		const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
		try {
			const json = withCredential ? workflow(parameters) : triggerWorkflow('sendgrid', parameters);
			const server = await startWebhook(json, { credentials: { personalizationWebhookApi: webhookSecrets }, workflowId: 'pg-misconfigured' });
			servers.push(server);
			const signed = delivery(['misconfigured-1']);
			const reply = await server.post(signed.body, signed.headers);
			expect(reply.status).toBe(500);
			expect(reply.body).toEqual({ error: 'The webhook is not configured correctly' });
			expect(reply.workflowData).toBeUndefined();
			expect(logged).toHaveBeenCalledTimes(1);
			const line = String(logged.mock.calls[0][0]);
			expect(line).toContain('Personalization Trigger "');
			expect(line).toContain('Duplicate Memory = PostgreSQL is not configured correctly');
			expect(line).toContain(reason);
		} finally {
			logged.mockRestore();
		}
	});

	it.each([
		// what n8n's CredentialsHelper.getDecrypted throws when its own database (the credentials
		// table, PostgreSQL in queue mode) drops the connection: TypeORM passes pg's error on
		['n8n’s own database failing while reading it (passing)', new Error('Connection terminated unexpectedly')],
		// n8n's CredentialNotFoundError (packages/cli/src/errors/credential-not-found.error.ts)
		['deleted since it was selected', new Error('Credential with ID "pg-1" does not exist for type "personalizationPostgresApi".')],
	])('a selected PostgreSQL credential n8n cannot hand over (%s): 503 "please retry", logged, not run; once n8n reads it again the retry runs', async (_name, failure) => {
		const logger = Container.get(Logger);
		const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
		try {
			const failures: Record<string, Error> = { personalizationPostgresApi: failure };
			const server = await startWebhook(workflow(shared()), {
				credentials: { personalizationWebhookApi: webhookSecrets, personalizationPostgresApi: pgCredential },
				credentialFailures: failures,
				workflowId: 'pg-unreadable',
			});
			servers.push(server);
			const signed = delivery([`unreadable-${failure.message.length}`]);
			const reply = await server.post(signed.body, signed.headers);
			expect(reply.status).toBe(503);
			expect(reply.body).toEqual({ error: 'Temporarily unable to accept the delivery; please retry' });
			expect(reply.workflowData).toBeUndefined();
			expect(logged).toHaveBeenCalledTimes(1);
			const line = String(logged.mock.calls[0][0]);
			expect(line).toContain('Personalization Trigger "');
			expect(line).toContain('n8n could not read the Personalization PostgreSQL API credential');
			expect(line).toContain(failure.message);
			expect(line).toContain('Answered 503');
			// the sender's retry once n8n reads the credential again: recorded and run, once
			delete failures.personalizationPostgresApi;
			const retry = await server.post(signed.body, signed.headers);
			expect(retry.body).toEqual({ message: 'Accepted', events: 1, duplicates: 0 });
			expect((await server.post(signed.body, signed.headers)).body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
		} finally {
			logged.mockRestore();
		}
	});

	it('Test URL (manual mode): no de-duplication, the database is not used (down or not, the same event runs each time)', async () => {
		const server = await open(shared(), 'pg-manual', { ...pgCredential, port: 1 }, 'manual');
		const signed = delivery(['manual-1']);
		for (let n = 0; n < 2; n++) {
			const reply = await server.post(signed.body, signed.headers);
			expect(reply.body).toEqual({ message: 'Accepted', events: 1, duplicates: 0 });
		}
	});

	it('with Workflow Static Data (default) two processes each run the same concurrent delivery (the limit the PostgreSQL memory removes)', async () => {
		const here = await open({}, 'static-two-processes');
		const there = await openProcess({}, 'static-two-processes');
		const signed = delivery(['static-1']);
		const [a, b] = await Promise.all([here.post(signed.body, signed.headers), there.post(signed.body, signed.headers)]);
		expect([a.body, b.body].filter(accepted)).toHaveLength(2);
	});

	it('in the editor: the PostgreSQL credential (tested with SELECT 1) and the table prefix only with PostgreSQL; Duplicate Memory Size only without', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.getByNameAndVersion(`${P}personalizationTrigger`, 1) as INodeType;
		const d = type.description;
		const memory = d.properties.find((p) => p.name === 'duplicateMemory')!;
		expect(memory.default).toBe('staticData');
		expect((memory.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['staticData', 'postgres']);
		const credential = d.credentials!.find((c) => c.name === 'personalizationPostgresApi')!;
		expect(credential.displayOptions).toEqual({ show: { duplicateMemory: ['postgres'] } });
		expect(pkg.credentialTypes.personalizationPostgresApi).toBeDefined();
		const options = d.properties.find((p) => p.name === 'options')!.options as Array<{ name: string; displayOptions?: unknown }>;
		expect(options.find((o) => o.name === 'dedupeMaxEntries')!.displayOptions).toEqual({ hide: { '/duplicateMemory': ['postgres'] } });
		expect(options.find((o) => o.name === 'dedupeTablePrefix')!.displayOptions).toEqual({ show: { '/duplicateMemory': ['postgres'] } });
		const test = type.methods!.credentialTest![credential.testedBy as string];
		const data = { id: 'pg-1', name: 'PostgreSQL', type: 'personalizationPostgresApi' };
		expect(await test.call({} as ICredentialTestFunctions, { ...data, data: pgCredential })).toEqual({ status: 'OK', message: 'Connection successful' });
		expect((await test.call({} as ICredentialTestFunctions, { ...data, data: { ...pgCredential, database: 'pz_no_such_database' } })).status).toBe('Error');
	});
});
