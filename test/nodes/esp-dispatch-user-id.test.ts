/**
 * ESP Dispatch result items carry the recipient's userId when the input item has one (its own
 * `userId`, as on a canonical event or a profile, else `profile.userId` from Customer Profile →
 * Get Profile), whatever became of the message; and A/B Experiment Analyze joins such a result
 * to the customer's attributed order by that userId. Through the real n8n engine against the
 * local Postmark server. Both cases failed on the code before the fix (no userId on the results;
 * the order counted as one more recipient).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials, sent } = usePostmarkServer();

function dispatch(typeVersion: number, parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parameters } as INode['parameters'], {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		...extra,
	});
}
const run = (n: INode, list: IDataObject[]) =>
	runWorkflow({ nodes: [n], connections: {} }, { input: list.map((json): INodeExecutionData => ({ json })), credentials: credentials() });
const message = { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' };

describe('ESP Dispatch: the result item carries the recipient\'s userId', () => {
	it('version 1.1: from the item, else from Get Profile\'s profile; sent, suppressed and failed alike', async () => {
		const list: IDataObject[] = [
			{ email: 'ada@example.com', userId: 'cust-1', message },
			{ email: 'bo@example.com', profile: { email: 'bo@example.com', userId: 'cust-2', unsubscribed: false }, message },
			// the item's own userId wins over the profile's (the profile found by another key)
			{ email: 'cy@example.com', userId: 'cust-3', profile: { userId: 'other' }, message },
			{ email: 'di@example.com', userId: 4711, message }, // a numeric id, as text
			{ email: 'ed@example.com', message }, // no userId anywhere: no field
			{ email: 'fe@example.com', userId: '  ', profile: null, message }, // blank: no field
			{ email: 'gu@example.com', userId: 'cust-7', is_holdout: true, variant: 'holdout' }, // the A/B holdout: not mailed
			{ email: 'not-an-address', userId: 'cust-8', message }, // refused before sending (Continue On Fail)
		];
		const result = await run(dispatch(1.1, {}, { onError: 'continueRegularOutput' }), list);
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch');
		expect(out.map((i) => i.pairedItem)).toEqual(list.map((_, item) => ({ item })));
		expect(out.map((i) => [i.json.status, i.json.userId ?? null])).toEqual([
			['sent', 'cust-1'],
			['sent', 'cust-2'],
			['sent', 'cust-3'],
			['sent', '4711'],
			['sent', null],
			['sent', null],
			['suppressed', 'cust-7'],
			['failed', 'cust-8'],
		]);
		expect(out[4].json).not.toHaveProperty('userId');
		expect(sent().map((m) => m.To)).toEqual(['ada@example.com', 'bo@example.com', 'cy@example.com', 'di@example.com', 'ed@example.com', 'fe@example.com']);
	});

	it('version 1 too (an output field only: nothing sent changes)', async () => {
		const result = await run(dispatch(1, { subject: 'Hi', html: '<p>Hi</p>' }), [{ email: 'ada@example.com', userId: 'cust-1' }]);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch')[0].json).toMatchObject({ status: 'sent', recipient: 'ada@example.com', userId: 'cust-1' });
	});

	it('a dry run and a duplicate keep it as well', async () => {
		const dry = await run(dispatch(1.1, { dryRun: true }), [{ email: 'ada@example.com', userId: 'cust-1', message }]);
		expect(dry.items('ESP Dispatch')[0].json).toMatchObject({ status: 'dryRun', userId: 'cust-1' });
		const twice = await run(dispatch(1.1, { options: { idempotencyKey: 'once' } }), [
			{ email: 'ada@example.com', userId: 'cust-1', message },
			{ email: 'ada@example.com', userId: 'cust-1', message },
		]);
		expect(twice.items('ESP Dispatch').map((i) => [i.json.status, i.json.userId])).toEqual([
			['sent', 'cust-1'],
			['duplicate', 'cust-1'],
		]);
	});
});

describe('A/B Experiment Analyze joins an ESP Dispatch result to the customer\'s order by userId', () => {
	it('an attributed order with only the userId counts for the mailed recipient, not as one more', async () => {
		const dispatched = (recipient: string, messageId: string, variant: string, userId: string) => ({
			json: { status: 'sent', recipient, provider: 'postmark', idempotencyKey: `pz-${messageId}`, messageId, providerMessageId: 'pm-1', responseCode: 200, attempts: 1, experiment: 'spring', variant, userId },
		});
		// the shop's order event knows the customer by userId only (no address, no email_id)
		const order = (userId: string, variant: string) => ({
			json: { type: 'track', event: 'Order Completed', userId, properties: { variant, experiment_id: 'spring', total: 20 }, context: { source: 'shopify' } },
		});
		const input: INodeExecutionData[] = [
			dispatched('ada@example.com', 'm1', 'control', 'cust-1'),
			dispatched('bo@example.com', 'm2', 'control', 'cust-2'),
			dispatched('cy@example.com', 'm3', 'treatment', 'cust-3'),
			dispatched('di@example.com', 'm4', 'treatment', 'cust-4'),
			order('cust-1', 'control'),
			order('cust-3', 'treatment'),
		];
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10 })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// by hand: control sent ada, bo = 2, converted ada = 1; treatment sent cy, di = 2, converted cy = 1
		expect((report.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.converted, v.conversion_rate])).toEqual([
			['control', 2, 1, 0.5],
			['treatment', 2, 1, 0.5],
		]);
		expect(report.events_ignored).toBe(0);
	});
});
