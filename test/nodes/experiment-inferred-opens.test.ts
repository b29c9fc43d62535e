/**
 * A/B Experiment Analyze from engagement events: a click is an open too. Opens are counted by a
 * tracking image; a recipient whose mail client blocks images (Outlook, Gmail settings), or whose
 * only open was a machine open (counted as a send), can click without any counted open. Counted
 * as not opened, the open rate undercounts and the click rate can exceed it. Mailchimp's help
 * ("Our system automatically tracks clicks as opens") and Adestra count a click as an open; so
 * does Analyze now, and the report says how many opens came from clicks.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const tags = (variant: string, emailId: string, extra: IDataObject = {}) => ({ variant, experiment_id: 'spring', email_id: emailId, ...extra });
const ev = (event: string, email: string, properties: IDataObject): INodeExecutionData => ({ json: { type: 'track', event, email, properties, context: { source: 'test' } } });

// control: a, b, c, d delivered; a opened; b clicked with images blocked (no open at all).
// treatment: e, f, g, h delivered; e opened and clicked; f clicked with no open; g's only open is a
// machine open, then g clicked.
const input: INodeExecutionData[] = [
	...['a', 'b', 'c', 'd'].map((x, k) => ev('Email Delivered', `${x}@example.com`, tags('control', `c${k}`))),
	...['e', 'f', 'g', 'h'].map((x, k) => ev('Email Delivered', `${x}@example.com`, tags('treatment', `t${k}`))),
	ev('Email Opened', 'a@example.com', tags('control', 'c0')),
	ev('Email Link Clicked', 'b@example.com', tags('control', 'c1')),
	ev('Email Opened', 'e@example.com', tags('treatment', 't0')),
	ev('Email Link Clicked', 'e@example.com', tags('treatment', 't0')),
	ev('Email Link Clicked', 'f@example.com', tags('treatment', 't1')),
	ev('Email Opened', 'g@example.com', tags('treatment', 't2', { machine_open: true })),
	ev('Email Link Clicked', 'g@example.com', tags('treatment', 't2')),
];

async function analyze(metric: string, analyzeOptions: INodeParameters = {}) {
	const result = await runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric, mdePercent: 10, analyzeOptions })], connections: {} },
		{ input },
	);
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}
const table = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.opened, v.clicked, v.open_rate, v.click_rate]);

describe('A/B Experiment Analyze: a recipient who clicked is counted as opened', () => {
	it('counts clicks without a counted open as opens, so the click rate never exceeds the open rate', async () => {
		const report = await analyze('opened');
		// by hand: control 4 sent, opened a and b (b by the click) = 2, clicked 1; treatment 4 sent,
		// opened e, f, g = 3 (f and g by their clicks; g's machine open is still no open), clicked 3
		expect(table(report)).toEqual([
			['control', 4, 2, 1, 0.5, 0.25],
			['treatment', 4, 3, 3, 0.75, 0.75],
		]);
		expect(report.opens_inferred_from_clicks).toBe(3);
		// the machine-open rule stands: g's open was not counted as an open
		expect(report.machine_opens_not_counted).toBe(1);
		expect(report.summary).toContain('3 recipients who clicked without a counted open (images blocked, or only a machine open) are counted as opened.');
	});

	it('says nothing about inferred opens when the click rate is analysed, but still counts them', async () => {
		const report = await analyze('clicked');
		expect(table(report)).toEqual([
			['control', 4, 2, 1, 0.5, 0.25],
			['treatment', 4, 3, 3, 0.75, 0.75],
		]);
		expect(report.opens_inferred_from_clicks).toBe(3);
		expect(report.summary).not.toContain('counted as opened');
	});

	it('with Count Machine Opens on, g opened anyway: only b and f are opens inferred from clicks', async () => {
		const report = await analyze('opened', { countMachineOpens: true });
		expect(table(report)).toEqual([
			['control', 4, 2, 1, 0.5, 0.25],
			['treatment', 4, 3, 3, 0.75, 0.75],
		]);
		expect(report.opens_inferred_from_clicks).toBe(2);
		expect(report.summary).toContain('2 recipients who clicked without a counted open');
	});
});

describe('A/B Experiment Analyze: a click the provider flags as a bot\'s (Mailgun machine_click) is neither a click nor an open', () => {
	// control: a, b delivered; a's only click is a link scanner's (Mailgun client-info.bot "generic");
	// treatment: c, d delivered; c clicked (a person).
	const scanned: INodeExecutionData[] = [
		...['a', 'b'].map((x, k) => ev('Email Delivered', `${x}@example.com`, tags('control', `c${k}`))),
		...['c', 'd'].map((x, k) => ev('Email Delivered', `${x}@example.com`, tags('treatment', `t${k}`))),
		ev('Email Link Clicked', 'a@example.com', tags('control', 'c0', { machine_click: true, machine_click_kind: 'generic' })),
		ev('Email Link Clicked', 'c@example.com', tags('treatment', 't0')),
	];
	const run = async (analyzeOptions: INodeParameters = {}) => {
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'clicked', mdePercent: 10, analyzeOptions })], connections: {} },
			{ input: scanned },
		);
		expect(result.error).toBeUndefined();
		return result.items('Analyze')[0].json;
	};

	it('counts the scanner\'s click as a send only, and says how many were left out', async () => {
		const report = await run();
		// by hand: control 2 sent, 0 opened, 0 clicked; treatment 2 sent, c clicked (and so opened)
		expect(table(report)).toEqual([
			['control', 2, 0, 0, 0, 0],
			['treatment', 2, 1, 1, 0.5, 0.5],
		]);
		expect(report.machine_clicks_not_counted).toBe(1);
	});

	it('with Count Machine Opens on, the scanner\'s click counts as a click and an open', async () => {
		const report = await run({ countMachineOpens: true });
		expect(table(report)).toEqual([
			['control', 2, 1, 1, 0.5, 0.5],
			['treatment', 2, 1, 1, 0.5, 0.5],
		]);
		expect(report.machine_clicks_not_counted).toBeUndefined();
	});
});
