/**
 * ESP Dispatch with a credential that cannot be loaded (none given to the run), through the real
 * n8n engine: only the messages that were to be sent fail. A recipient who was never going to be
 * mailed keeps the status the README gives it: `suppressed` (Suppressed Field, Check Suppression's
 * flags, the Suppression List, and in version 1.1 A/B Experiment Assign's holdout) or `duplicate`
 * (the duplicate memory of an earlier run). Reporting those `failed` would put them on the error
 * output and in a "resend the failed ones" branch. The credential is loaded only when a message is
 * to be sent or shown, so a run whose every recipient is suppressed succeeds even without
 * Continue On Fail; with On Error → Continue (using error output) only the failed ones leave on
 * the error output.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const content = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };

/** One mailable recipient, then one per way of being suppressed, then one invalid address. */
const recipients = (): INodeExecutionData[] => [
	{ json: { email: 'ada@example.com', userId: 'u-ada', ...content } },
	{ json: { email: 'bo@example.com', userId: 'u-bo', suppressed: true, ...content } },
	// Customer Profile → Check Suppression writes its flags under `suppression`
	{ json: { email: 'cy@example.com', userId: 'u-cy', suppression: { suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true }, ...content } },
	// A/B Experiment Assign's holdout: no email by design (read by version 1.1)
	{ json: { email: 'di@example.com', userId: 'u-di', is_holdout: true, pz_experiment_id: 'exp-1', pz_variant: 'holdout', ...content } },
	// on Options → Suppression List
	{ json: { email: 'ed@example.com', userId: 'u-ed', ...content } },
	{ json: { email: 'not-an-address', userId: 'u-fy', ...content } },
];

function dispatch(typeVersion: number, parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	// Both versions read the rendered parts from the same top-level fields here.
	const parts = { subject: '={{ $json.subject }}', html: '={{ $json.html }}', text: '={{ $json.text }}' };
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parts, ...parameters } as INode['parameters'], {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		...extra,
	});
}

/** A predecessor, so that n8n gives error items their input fields back (it keeps the item's fields and adds `message`). */
const render = (): INode => node('Render Email', 'renderEmail', { format: 'html', subject: 'Spring', body: '<p>Spring is here</p>' }, { typeVersion: 1.1 });
const single = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });
const withSuppressionList = { options: { suppressionList: 'ed@example.com' } };
const CREDENTIAL_ERROR = /^Could not load the credential "Postmark account" \(type personalizationPostmarkApi\): .*nothing was sent\.$/;

describe('ESP Dispatch: a credential that cannot be loaded fails only the messages that were to be sent', () => {
	const { server, credentials } = usePostmarkServer();

	it('version 1.1, Continue (regular output): suppressed and held-out recipients stay suppressed, the mailable one fails', async () => {
		const result = await runWorkflow(single(dispatch(1.1, withSuppressionList, { onError: 'continueRegularOutput' })), { input: recipients(), credentials: {} });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.recipient ?? null, i.json.status, i.json.userId, i.pairedItem])).toEqual([
			['ada@example.com', 'failed', 'u-ada', { item: 0 }],
			['bo@example.com', 'suppressed', 'u-bo', { item: 1 }],
			['cy@example.com', 'suppressed', 'u-cy', { item: 2 }],
			['di@example.com', 'suppressed', 'u-di', { item: 3 }],
			['ed@example.com', 'suppressed', 'u-ed', { item: 4 }],
			// refused before any credential was needed: its own error, as before
			[null, 'failed', 'u-fy', { item: 5 }],
		]);
		expect(items[0].json.error).toMatch(CREDENTIAL_ERROR);
		// each suppressed one says why, none mentions the credential
		expect(items.slice(1, 5).map((i) => i.json.error)).toEqual([
			expect.stringMatching(/suppressed/),
			expect.stringMatching(/unsubscribed/),
			expect.stringMatching(/holdout/),
			expect.stringMatching(/suppression list/),
		]);
		for (const i of items.slice(1, 5)) expect(String(i.json.error)).not.toMatch(/credential/i);
		// the holdout keeps its A/B attribution, so A/B Experiment Analyze still counts it as held out
		expect(items[3].json).toMatchObject({ experiment: 'exp-1', variant: 'holdout' });
		expect(items[5].json.error).toBe('Item 5: recipient "not-an-address" is not an email address');
		expect(server().requests).toHaveLength(0);
	});

	it('version 1: suppressed recipients stay suppressed; the holdout flag is not read in version 1, so that recipient was to be mailed and fails', async () => {
		const result = await runWorkflow(single(dispatch(1, withSuppressionList, { onError: 'continueRegularOutput' })), { input: recipients(), credentials: {} });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['failed', 'suppressed', 'suppressed', 'failed', 'suppressed', 'failed']);
		expect(result.items('ESP Dispatch')[3].json.error).toMatch(CREDENTIAL_ERROR);
	});

	for (const typeVersion of [1, 1.1]) {
		it(`version ${typeVersion}, On Error → Continue (using error output): only the failed messages leave on the error output`, async () => {
			const wf: WorkflowJson = { nodes: [render(), dispatch(typeVersion, withSuppressionList, { onError: 'continueErrorOutput' })], connections: chain('Render Email', 'ESP Dispatch') };
			const result = await runWorkflow(wf, { input: recipients(), credentials: {} });
			expect(result.error).toBeUndefined();
			const ok = result.items('ESP Dispatch', 0);
			const failed = result.items('ESP Dispatch', 1);
			const suppressedOnes = typeVersion === 1 ? [1, 2, 4] : [1, 2, 3, 4];
			expect(ok.map((i) => [i.json.status, i.json.recipient, i.pairedItem])).toEqual(
				suppressedOnes.map((n) => ['suppressed', recipients()[n].json.email, { item: n }]),
			);
			const failedOnes = typeVersion === 1 ? [0, 3, 5] : [0, 5];
			// n8n's error item: the input item's fields, the error, and the result under details
			expect(failed.map((i) => [i.json.email, i.pairedItem])).toEqual(failedOnes.map((n) => [recipients()[n].json.email, { item: n }]));
			expect(failed[0].json.error).toMatch(/^Item 0: Could not load the credential "Postmark account"/);
			expect(failed[0].json.details).toMatchObject({ status: 'failed', recipient: 'ada@example.com', provider: 'postmark', attempts: 0, userId: 'u-ada' });
			expect(server().requests).toHaveLength(0);
		});

		it(`version ${typeVersion}: when no recipient is to be mailed, the credential is not needed: the run succeeds without Continue On Fail`, async () => {
			const input = recipients().slice(1, 5).filter((i) => typeVersion !== 1 || i.json.is_holdout !== true);
			const result = await runWorkflow(single(dispatch(typeVersion, withSuppressionList)), { input, credentials: {} });
			expect(result.error).toBeUndefined();
			expect(result.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status])).toEqual(input.map((i) => [i.json.email, 'suppressed']));
		});
	}

	it('without Continue On Fail, a run with a recipient to mail still stops on the credential, naming it', async () => {
		const result = await runWorkflow(single(dispatch(1.1, withSuppressionList)), { input: recipients().slice(0, 5), credentials: {} });
		expect(result.error?.message).toMatch(/^Could not load the credential "Postmark account" \(type personalizationPostmarkApi\): /);
	});

	it('a duplicate of an earlier run stays a duplicate (it was mailed then); a new recipient fails', async () => {
		const first = await runWorkflow(single(dispatch(1.1)), { input: recipients().slice(0, 1), credentials: credentials() });
		expect(first.items('ESP Dispatch')[0].json.status).toBe('sent');
		const input = [recipients()[0], { json: { email: 'gus@example.com', userId: 'u-gus', ...content } }];
		const second = await runWorkflow(single(dispatch(1.1, {}, { onError: 'continueRegularOutput' })), { input, credentials: {}, staticData: first.staticData });
		expect(second.error).toBeUndefined();
		expect(second.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status])).toEqual([
			['ada@example.com', 'duplicate'],
			['gus@example.com', 'failed'],
		]);
		expect(server().accepted.map((a) => a.recipient)).toEqual(['ada@example.com']);
	});

	it('dry run and test mode: what would be shown or sent to the test address fails (the request needs the credential), suppressed ones stay suppressed', async () => {
		for (const parameters of [{ dryRun: true, ...withSuppressionList }, { options: { ...withSuppressionList.options, testAddress: 'qa@shop.example.com' } }]) {
			const result = await runWorkflow(single(dispatch(1.1, parameters, { onError: 'continueRegularOutput' })), { input: recipients(), credentials: {} });
			expect(result.error).toBeUndefined();
			const items = result.items('ESP Dispatch');
			expect(items.map((i) => i.json.status)).toEqual(['failed', 'suppressed', 'suppressed', 'suppressed', 'suppressed', 'failed']);
			expect(items[0].json.error).toMatch(CREDENTIAL_ERROR);
			// nothing went to the test address
			expect(items.map((i) => i.json.sentTo)).toEqual(items.map(() => undefined));
		}
		expect(server().requests).toHaveLength(0);
	});
});
