/**
 * A/B Experiment Analyze from engagement events: machine opens. SendGrid flags an open made by a
 * machine (`sg_machine_open`, e.g. Apple Mail Privacy Protection loading every image at delivery)
 * and Brevo sends them as `proxy_open`; both arrive as Email Opened with
 * `properties.machine_open: true`. Counted as opens, they made the open rate measure which variant
 * went to more Apple Mail users. By default they now count as sends only; the option Count Machine
 * Opens restores counting them.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const tags = (variant: string, emailId: string, extra: IDataObject = {}) => ({ variant, experiment_id: 'spring', email_id: emailId, ...extra });
const ev = (event: string, email: string, properties: IDataObject): INodeExecutionData => ({ json: { type: 'track', event, email, properties, context: { source: 'test' } } });

// control: anna, ben, cara delivered; anna opened (a person), ben's open is a machine open.
// treatment: dan, eve, fay delivered; all three "opened", all machine opens; eve also clicked.
// gus (treatment) was never reported delivered: his machine open still shows he was sent it.
const input: INodeExecutionData[] = [
	ev('Email Delivered', 'anna@example.com', tags('control', 'm1')),
	ev('Email Delivered', 'ben@example.com', tags('control', 'm2')),
	ev('Email Delivered', 'cara@example.com', tags('control', 'm3')),
	ev('Email Opened', 'anna@example.com', tags('control', 'm1')),
	ev('Email Opened', 'ben@example.com', tags('control', 'm2', { machine_open: true })),
	ev('Email Delivered', 'dan@example.com', tags('treatment', 'm4')),
	ev('Email Delivered', 'eve@example.com', tags('treatment', 'm5')),
	ev('Email Delivered', 'fay@example.com', tags('treatment', 'm6')),
	ev('Email Opened', 'dan@example.com', tags('treatment', 'm4', { machine_open: true })),
	ev('Email Opened', 'eve@example.com', tags('treatment', 'm5', { machine_open: true })),
	ev('Email Opened', 'fay@example.com', tags('treatment', 'm6', { machine_open: true })),
	ev('Email Link Clicked', 'eve@example.com', tags('treatment', 'm5')),
	ev('Email Opened', 'gus@example.com', tags('treatment', 'm7', { machine_open: true })),
];

async function analyze(analyzeOptions: INodeParameters = {}) {
	const result = await runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'opened', mdePercent: 10, analyzeOptions })], connections: {} },
		{ input },
	);
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}
const table = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.opened, v.clicked]);

describe('A/B Experiment Analyze: machine opens', () => {
	it('by default a machine open counts as a send, not an open, and the report says how many were left out', async () => {
		const report = await analyze();
		// by hand: control 3 sent, 1 opened (anna), 0 clicked; treatment 4 sent (gus by his open), 1 clicked
		// (eve), and 1 opened: eve, whose click shows she opened it (her own open was a machine open)
		expect(table(report)).toEqual([
			['control', 3, 1, 0],
			['treatment', 4, 1, 1],
		]);
		expect(report.machine_opens_not_counted).toBe(5);
		expect(report.opens_inferred_from_clicks).toBe(1);
	});

	it('Count Machine Opens on: every open counts, as before', async () => {
		const report = await analyze({ countMachineOpens: true });
		// by hand: control 3 sent, 2 opened; treatment 4 sent, 4 opened, 1 clicked
		expect(table(report)).toEqual([
			['control', 3, 2, 0],
			['treatment', 4, 4, 1],
		]);
		expect(report).not.toHaveProperty('machine_opens_not_counted');
	});
});
