import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

/**
 * A/B Experiment → Analyze, counts input: a bad row must not take the whole report with it.
 * Expected numbers worked out by hand: control 100/1000 vs treatment 130/1000, pooled rate
 * 230/2000 = 0.115, SE = sqrt(0.115 · 0.885 · (1/1000 + 1/1000)) = 0.0142671, z = 0.03 / SE = 2.10274,
 * two-sided p = 0.03549.
 */
const analyzeParams = { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 10 };
const input: INodeExecutionData[] = [
	{ json: { variant: 'control', sent: 1000, converted: 100 } },
	{ json: { variant: 'treatment', sent: 1000, converted: 130 } },
	{ json: { variant: 'other', sent: 'abc' } },
];

describe('A/B Experiment Analyze: per-row errors through the n8n engine', () => {
	it('with Continue On Fail, a bad count row becomes its own error item and the other rows are still analysed', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams, { onError: 'continueRegularOutput' })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		const items = result.items('Analyze');
		expect(items).toHaveLength(2);
		const report = items.find((item) => item.json.error === undefined)!;
		const error = items.find((item) => item.json.error !== undefined)!;
		expect(error).toEqual({ json: { error: 'Item 2: field "sent" must be a whole number >= 0' }, pairedItem: { item: 2 } });
		// the report covers only the rows that went into it
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		const variants = report.json.variants as Array<Record<string, unknown>>;
		expect(variants.map((v) => [v.variant, v.sent, v.converted])).toEqual([
			['control', 1000, 100],
			['treatment', 1000, 130],
		]);
		const treatment = variants.find((v) => v.variant === 'treatment')!;
		expect(treatment.z as number).toBeCloseTo(2.10274, 4);
		expect(treatment.p_value as number).toBeCloseTo(0.03549, 4);
	});

	it('with Continue On Fail, a row without a variant is also reported on its own item', async () => {
		const rows = [input[0], { json: { sent: 50, converted: 5 } }, input[1]];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams, { onError: 'continueRegularOutput' })], connections: {} }, { input: rows });
		const items = result.items('Analyze');
		expect(items).toHaveLength(2);
		expect(items.find((item) => item.json.error !== undefined)).toEqual({ json: { error: 'Item 1: field "variant" (variant) is missing' }, pairedItem: { item: 1 } });
		const report = items.find((item) => item.json.error === undefined)!;
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect((report.json.variants as Array<Record<string, unknown>>).map((v) => v.sent)).toEqual([1000, 1000]);
	});

	it('with Continue On Fail, when too few good rows remain, the analysis error is paired with those rows only', async () => {
		const rows = [input[0], input[2]];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams, { onError: 'continueRegularOutput' })], connections: {} }, { input: rows });
		expect(result.items('Analyze')).toEqual([
			{ json: { error: 'Need at least two variants to compare, got 1' }, pairedItem: [{ item: 0 }] },
			{ json: { error: 'Item 1: field "sent" must be a whole number >= 0' }, pairedItem: { item: 1 } },
		]);
	});

	it('without Continue On Fail, the node stops with an error naming the item, the field and its itemIndex', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams)], connections: {} }, { input });
		expect(result.error?.message).toBe('Item 2: field "sent" must be a whole number >= 0');
		const nodeError = result.nodes.Analyze.error as unknown as { context?: { itemIndex?: number } };
		expect(nodeError.context?.itemIndex).toBe(2);
	});
});

describe('A/B Experiment Analyze: each count row is checked on its own', () => {
	it('with Continue On Fail, a row with more conversions than sends, or without the metric, is its own error item; the other rows of its variant are still analysed', async () => {
		const rows: INodeExecutionData[] = [
			input[0],
			// control: 20 of 10 is impossible; with the next row, 20 of 1010 would look possible
			{ json: { variant: 'control', sent: 10, converted: 20 } },
			// no "converted": its 1000 sends must not dilute the control's rate
			{ json: { variant: 'control', sent: 1000, opened: 300 } },
			input[1],
			// the excluded holdout needs no metric count
			{ json: { variant: 'holdout', sent: 200 } },
		];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams, { onError: 'continueRegularOutput' })], connections: {} }, { input: rows });
		expect(result.error).toBeUndefined();
		const items = result.items('Analyze');
		expect(items.filter((item) => item.json.error !== undefined)).toEqual([
			{ json: { error: 'Item 1: field "converted" (20) must not be above "sent" (10)' }, pairedItem: { item: 1 } },
			{ json: { error: 'Item 2: field "converted" is missing' }, pairedItem: { item: 2 } },
		]);
		const report = items.find((item) => item.json.error === undefined)!;
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 3 }, { item: 4 }]);
		const variants = report.json.variants as Array<Record<string, unknown>>;
		expect(variants.map((v) => [v.variant, v.sent, v.converted])).toEqual([
			['control', 1000, 100],
			['treatment', 1000, 130],
		]);
		// 100/1000 vs 130/1000 (see the top of this file)
		expect(variants[1].p_value as number).toBeCloseTo(0.03549, 4);
	});

	it('a count is a whole number or a numeric string: not a boolean, a list, or a number past 2^53 (no longer exact)', async () => {
		const rows: INodeExecutionData[] = [
			input[0],
			input[1],
			{ json: { variant: 'b', sent: '200', converted: '20' } },
			{ json: { variant: 'c', sent: true, converted: 0 } },
			{ json: { variant: 'd', sent: [5], converted: 1 } },
			{ json: { variant: 'e', sent: 2 ** 53 + 2, converted: 1 } },
		];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams, { onError: 'continueRegularOutput' })], connections: {} }, { input: rows });
		const items = result.items('Analyze');
		expect(items.filter((item) => item.json.error !== undefined)).toEqual([3, 4, 5].map((i) => ({ json: { error: `Item ${i}: field "sent" must be a whole number >= 0` }, pairedItem: { item: i } })));
		const report = items.find((item) => item.json.error === undefined)!;
		expect((report.json.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.converted])).toEqual([
			['control', 1000, 100],
			['treatment', 1000, 130],
			['b', 200, 20],
		]);
	});

	it('without Continue On Fail, the impossible row stops the node naming the item and the field', async () => {
		const rows = [input[0], { json: { variant: 'control', sent: 10, converted: 20 } }, { json: { variant: 'control', sent: 1000, converted: 0 } }, input[1]];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams)], connections: {} }, { input: rows });
		expect(result.error?.message).toBe('Item 1: field "converted" (20) must not be above "sent" (10)');
		expect((result.nodes.Analyze.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});
});

describe('A/B Experiment Analyze from engagement events: recipients', () => {
	it('an attributed order without email_id counts for the recipient of the email, not as one more', async () => {
		const tags = (variant: string, emailId?: string) => ({ variant, experiment_id: 'spring', ...(emailId ? { email_id: emailId } : {}) });
		const ev = (event: string, who: Record<string, string>, properties: Record<string, string>) => ({ json: { type: 'track', event, ...who, properties, context: { source: 'test' } } });
		const input: INodeExecutionData[] = [
			// control: anna and ben were sent the email; anna opened it and then bought (her order has no email_id)
			ev('Email Delivered', { email: 'anna@example.com' }, tags('control', 'm1')),
			ev('Email Delivered', { email: 'ben@example.com' }, tags('control', 'm2')),
			ev('Email Opened', { email: 'anna@example.com' }, tags('control', 'm1')),
			ev('Order Completed', { userId: 'cust-anna', email: ' Anna@Example.com ' }, tags('control')), // the address as another system wrote it: case and spaces differ
			// treatment: carl and dora were sent it; carl bought
			ev('Email Delivered', { email: 'carl@example.com' }, tags('treatment', 'm3')),
			ev('Email Delivered', { email: 'dora@example.com' }, tags('treatment', 'm4')),
			ev('Order Completed', { userId: 'cust-carl', email: 'carl@example.com' }, tags('treatment')),
			// an open with no recipient id at all: skipped
			ev('Email Opened', {}, tags('treatment')),
		];
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10 })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// by hand: control 2 sent, 1 opened, 1 converted (anna); treatment 2 sent, 0 opened, 1 converted (carl)
		expect((report.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.opened, v.converted, v.conversion_rate])).toEqual([
			['control', 2, 1, 1, 0.5],
			['treatment', 2, 0, 1, 0.5],
		]);
		expect(report.events_ignored).toBe(1);
	});

	it('an order known only by userId joins the recipient whose email events carry that userId as properties.user_id (pz_user_id)', async () => {
		const tags = (variant: string, extra: Record<string, string> = {}) => ({ variant, experiment_id: 'spring', ...extra });
		const ev = (event: string, who: Record<string, string>, properties: Record<string, string>) => ({ json: { type: 'track', event, ...who, properties, context: { source: 'test' } } });
		const input: INodeExecutionData[] = [
			// ESP Dispatch sent u-anna's userId along; the webhooks bring it back with the address
			ev('Email Delivered', { email: 'anna@example.com' }, tags('control', { email_id: 'm1', user_id: 'u-anna' })),
			ev('Email Delivered', { email: 'ben@example.com' }, tags('control', { email_id: 'm2', user_id: 'u-ben' })),
			// the shop's order names the customer by userId only
			ev('Order Completed', { userId: 'u-anna' }, tags('control')),
			ev('Email Delivered', { email: 'carl@example.com' }, tags('treatment', { email_id: 'm3' })),
			ev('Email Delivered', { email: 'dora@example.com' }, tags('treatment', { email_id: 'm4' })),
		];
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10 })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		// by hand: control anna and ben sent, anna converted (2 sent, 1 converted; not 3 sent with the
		// order as a recipient of its own); treatment 2 sent, 0 converted
		const variants = (result.items('Analyze')[0].json.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.converted]);
		expect(variants).toEqual([
			['control', 2, 1],
			['treatment', 2, 0],
		]);
	});
});

describe('A/B Experiment Analyze from engagement events: ESP Dispatch results', () => {
	// ESP Dispatch's output items (no `event`): status, recipient, idempotencyKey, messageId, and the experiment / variant the message carried
	const result = (status: string, recipient: string, messageId: string, variant: string, extra: Record<string, unknown> = {}) => ({
		json: { status, recipient, provider: 'postmark', idempotencyKey: `pz-${messageId}`, messageId, providerMessageId: null, responseCode: 200, attempts: 1, experiment: 'spring', variant, ...extra },
	});
	const webhook = (event: string, email: string, variant: string, emailId?: string) => ({
		json: { type: 'track', event, email, properties: { variant, experiment_id: 'spring', ...(emailId ? { email_id: emailId } : {}) }, context: { source: 'test' } },
	});

	it('a mailed recipient is a send of its variant; a suppressed one (the holdout), a failure, a dry run or a test-mode send is not', async () => {
		const input: INodeExecutionData[] = [
			result('sent', 'anna@example.com', 'm1', 'control'),
			result('queued', 'ben@example.com', 'm2', 'control'), // SendGrid / Mailgun accept with "queued"
			result('duplicate', 'cleo@example.com', 'm3', 'control'), // mailed by an earlier run
			result('sent', 'carl@example.com', 'm4', 'treatment'),
			result('suppressed', 'hal@example.com', 'm5', 'holdout', { error: 'suppressed: in the A/B holdout (no email by design)' }),
			result('suppressed', 'una@example.com', 'm6', 'treatment', { error: 'suppressed: unsubscribed' }),
			result('failed', 'fay@example.com', 'm7', 'treatment', { error: '422 invalid address' }),
			result('dryRun', 'dry@example.com', 'm8', 'treatment'),
			result('sent', 'tess@example.com', 'm9', 'treatment', { sentTo: 'qa@example.com' }), // test mode: it went to the test address
			result('sent', 'ida@example.com', 'm10', 'treatment', { experiment: 'other-test' }), // another experiment
			// the webhooks of the same messages: anna's open (by email_id) and carl's order (by address) are the same recipients
			webhook('Email Delivered', 'anna@example.com', 'control', 'm1'),
			webhook('Email Opened', 'Anna@Example.com', 'control', 'm1'),
			webhook('Order Completed', 'carl@example.com', 'treatment'),
		];
		const run = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'opened' })], connections: {} },
			{ input },
		);
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		// by hand: control sent anna, ben, cleo = 3, opened anna = 1; treatment sent carl = 1, converted carl = 1; holdout nowhere
		expect((report.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.opened, v.converted])).toEqual([
			['control', 3, 1, 0],
			['treatment', 1, 0, 1],
		]);
		// not counted: hal, una, fay, dry, tess (5) and ida (another experiment)
		expect(report.events_ignored).toBe(6);
	});

	it('a duplicate of a message earlier in the same run is not a send: that message may have failed (ESP Dispatch lists the same recipient twice)', async () => {
		const input: INodeExecutionData[] = [
			result('sent', 'anna@example.com', 'm1', 'control'),
			// bob twice in the input: Postmark refused the first (406 inactive recipient), the second was never sent
			result('suppressed', 'bob@example.com', 'm2', 'control', { responseCode: 406, error: 'Postmark ErrorCode 406: inactive recipient' }),
			result('duplicate', 'bob@example.com', 'm2', 'control', { responseCode: null, attempts: 0, error: 'same idempotency key earlier in this run' }),
			// cleo: sent by an earlier run within the duplicate window
			result('duplicate', 'cleo@example.com', 'm3', 'control', { responseCode: null, attempts: 0, error: 'idempotency key already sent within the duplicate window' }),
			result('sent', 'carl@example.com', 'm4', 'treatment'),
		];
		const run = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'opened' })], connections: {} },
			{ input },
		);
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		// by hand: control mailed anna and cleo = 2 (bob never was); treatment carl = 1
		expect((report.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent])).toEqual([
			['control', 2],
			['treatment', 1],
		]);
		expect(report.events_ignored).toBe(2);
	});
});

describe('A/B Experiment Analyze: counts written as text (a sheet or CSV)', () => {
	const run = (treatment: Record<string, unknown>) =>
		runWorkflow({ nodes: [node('Analyze', 'experiment', analyzeParams)], connections: {} }, { input: [input[0], { json: { variant: 'treatment', ...treatment } }] });

	it('decimal digits are the count ("1000", " 130 "), as the numbers', async () => {
		const result = await run({ sent: '1000', converted: ' 130 ' });
		expect(result.error).toBeUndefined();
		const treatment = (result.items('Analyze')[0].json.variants as Array<Record<string, unknown>>).find((v) => v.variant === 'treatment')!;
		expect([treatment.sent, treatment.converted]).toEqual([1000, 130]);
		expect(treatment.z as number).toBeCloseTo(2.10274, 4);
	});

	it('a blank cell is a missing count, not 0; "0x10" or "1e3" is no count', async () => {
		expect((await run({ sent: 1000, converted: '   ' })).error?.message).toBe('Item 1: field "converted" is missing');
		expect((await run({ sent: '0x3E8', converted: 130 })).error?.message).toBe('Item 1: field "sent" must be a whole number >= 0');
		expect((await run({ sent: '1e3', converted: 130 })).error?.message).toBe('Item 1: field "sent" must be a whole number >= 0');
	});
});
