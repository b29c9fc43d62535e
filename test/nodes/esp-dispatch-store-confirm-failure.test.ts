/**
 * ESP Dispatch, Sent-Key Memory = Customer Profile Store (PostgreSQL), through the real n8n engine:
 * when the memory accepts the claims but cannot store the sent keys (here a trigger refuses every
 * write of sent_at, as a store failing between the claim and the confirm), the provider has the
 * messages but the memory does not: the error must say so (which items, and to reconcile before a
 * re-run), not that a re-run does not send them twice.
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { Client } from 'pg';
import { closeAllStores } from '../../nodes/engines/profile';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { dropPrefix, pgConnection, pgCredential, uniquePrefix } from '../harness/profile-db';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const person = (key: string): INodeExecutionData => ({ json: { email: `${key}@example.com`, key } });

describe('Sent-Key Memory = Customer Profile Store: sent keys that cannot be stored', () => {
	let postmark: ProviderServer;
	const prefix = uniquePrefix('skc');
	const memory = { sentKeyMemory: 'profileStore', storage: 'postgres', storeOptions: { tablePrefix: prefix } };
	const sendNode = (settings: Partial<INode> = {}): INode =>
		node(
			'Send',
			'espDispatch',
			{
				operation: 'send',
				provider: 'postmark',
				mode: 'rendered',
				fromEmail: 'news@shop.example.com',
				toEmail: '={{ $json.email }}',
				subject: 'Your cart',
				html: '<p>Come back</p>',
				options: { idempotencyKey: '=cart-recovery:{{ $json.key }}', duplicateWindowHours: 720 },
				...memory,
			} as INode['parameters'],
			{ credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'postmark account' }, personalizationPostgresApi: { id: 'pg-1', name: 'pg' } }, ...settings },
		);
	const wf = (n: INode): WorkflowJson => ({ nodes: [n], connections: chain(n.name) });
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url }, personalizationPostgresApi: pgCredential });

	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
		// A first run creates the table; then every write of a sent key fails.
		await runWorkflow(wf(sendNode()), { input: [person('setup')], credentials: credentials(), mode: 'trigger' });
		const pg = new Client({ ...pgConnection, ssl: false });
		await pg.connect();
		await pg.query(`CREATE FUNCTION ${prefix}refuse() RETURNS trigger AS $$ BEGIN IF NEW.sent_at IS NOT NULL THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
		await pg.query(`CREATE TRIGGER ${prefix}refuse BEFORE INSERT OR UPDATE ON ${prefix}sent_keys FOR EACH ROW EXECUTE FUNCTION ${prefix}refuse()`);
		await pg.end();
	}, 30000);
	afterAll(async () => {
		await postmark.stop();
		await closeAllStores();
		await dropPrefix(prefix);
		const pg = new Client({ ...pgConnection, ssl: false });
		await pg.connect();
		await pg.query(`DROP FUNCTION IF EXISTS ${prefix}refuse() CASCADE`);
		await pg.end();
	});
	beforeEach(() => postmark.reset());

	it('the execution fails naming the items sent and NOT remembered, and says to reconcile before re-running', async () => {
		const r = await runWorkflow(wf(sendNode()), { input: [person('a'), person('b')], credentials: credentials(), mode: 'trigger' });
		expect(postmark.accepted).toHaveLength(2);
		expect(r.error?.message).toMatch(/^Sending through Postmark stopped: the sent-key memory could not remember the keys of 2 sent messages \(items 0, 1\) after 3 tries \(.*disk full \(test\)\)/);
		const description = (r.error as { description?: string }).description ?? '';
		expect(description).toMatch(/^Items 0, 1 were sent but NOT remembered in the sent-key memory \(Customer Profile Store, PostgreSQL\): a re-run would send them again\. Reconcile them/);
		expect(description).not.toMatch(/does not send them twice/);
	}, 30000);

	it('with Continue On Fail: the items are sent, each saying it is NOT remembered', async () => {
		const r = await runWorkflow(wf(sendNode({ continueOnFail: true })), { input: [person('c')], credentials: credentials(), mode: 'trigger' });
		const out = r.items('Send').map((i) => i.json);
		expect(out.map((o) => o.status)).toEqual(['sent']);
		expect(out[0].error).toMatch(/NOT remembered: the sent-key memory could not store its idempotency key \(.*disk full \(test\)\), so a re-run would send it again/);
	}, 30000);
});
