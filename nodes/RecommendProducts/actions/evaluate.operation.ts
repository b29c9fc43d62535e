import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { parameterTimeMs } from '../../engines/profile/time';
import { DEFAULT_TEST_SHARE, evaluate, type EvaluateOptions } from '../../engines/reco/evaluate';
import { TrainError } from '../../engines/reco/train';
import { allPaired, noLinesNote, readInteractions, readTrainOptions, TrainParameterError } from './common';

const timeCutoff = { show: { operation: ['evaluate'], evaluateSplit: ['timeCutoff'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'List Length (N)',
		name: 'evaluateCount',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 10,
		description: 'Hit rate, MAP, precision, recall and NDCG are measured on the first N recommendations',
		displayOptions: { show: { operation: ['evaluate'] } },
	},
	{
		displayName: 'Split',
		name: 'evaluateSplit',
		type: 'options',
		default: 'latestProduct',
		options: [
			{
				name: "Each Customer's Latest Product",
				value: 'latestProduct',
				description: "Hold out each customer's most recent new product; other customers' later purchases stay in training, which flatters the figures",
			},
			{
				name: 'Time Cut-Off',
				value: 'timeCutoff',
				description: 'Train only on lines before a date; test on the new products each customer bought from that date on, as a live campaign would',
			},
		],
		description: 'How the order history is split into what the model learns from and what it must predict',
		displayOptions: { show: { operation: ['evaluate'] } },
	},
	{
		displayName: 'Cut-Off Date',
		name: 'cutoffDate',
		type: 'dateTime',
		default: '',
		description:
			'Lines before this time train the model; purchases from this time on are the test. A date without a time is the start of that day; without a zone it is UTC. Empty: the cut-off that leaves the Test Share of dated order lines after it.',
		displayOptions: timeCutoff,
	},
	{
		displayName: 'Test Share (%)',
		name: 'testShare',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 99 },
		default: DEFAULT_TEST_SHARE,
		description: 'When Cut-Off Date is empty: the percentage of dated order lines, the most recent ones, that form the test period',
		displayOptions: timeCutoff,
	},
];

/** The Split parameters, checked: a value an expression makes invalid fails naming the parameter. */
function readSplit(ctx: IExecuteFunctions): Pick<EvaluateOptions, 'split' | 'cutoff' | 'testShare'> {
	const split = ctx.getNodeParameter('evaluateSplit', 0, 'latestProduct') as unknown;
	if (split === 'latestProduct') return { split };
	if (split !== 'timeCutoff') throw new TrainParameterError(`Parameter "Split" must be "latestProduct" or "timeCutoff", got ${JSON.stringify(split)}`, 'Parameter: evaluateSplit');
	const raw = ctx.getNodeParameter('cutoffDate', 0, '') as unknown;
	if (raw !== undefined && raw !== null && !(typeof raw === 'string' && raw.trim() === '')) {
		// read as the order lines' times are: without a zone, UTC (never the n8n server's zone)
		const cutoff = parameterTimeMs(raw);
		if (cutoff === undefined) {
			throw new TrainParameterError(`Parameter "Cut-Off Date" must be a date (ISO 8601, e.g. 2025-03-01 or 2025-03-01T00:00:00Z; without a zone it is UTC), got ${JSON.stringify(raw)}`, 'Parameter: cutoffDate');
		}
		return { split, cutoff };
	}
	const testShare = ctx.getNodeParameter('testShare', 0, DEFAULT_TEST_SHARE) as unknown;
	if (typeof testShare !== 'number' || !(testShare >= 1 && testShare <= 99)) {
		throw new TrainParameterError(`Parameter "Test Share (%)" must be a number from 1 to 99, got ${JSON.stringify(testShare)}`, 'Parameter: testShare');
	}
	return { split, testShare };
}

/** Aggregates: all order lines → one metrics item (see the Split parameter), paired with every input item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { interactions, errors, used, ordersWithoutProducts } = readInteractions(this, items);
	const n = this.getNodeParameter('evaluateCount', 0, 10) as number;
	try {
		const result = evaluate(interactions, { n, ...readSplit(this), train: readTrainOptions(this) });
		return [{ json: { ...result } as never, pairedItem: used }, ...errors];
	} catch (error) {
		const note = error instanceof TrainError ? noLinesNote(ordersWithoutProducts, interactions) : '';
		if (this.continueOnFail()) return [{ json: { error: (error as Error).message + note }, pairedItem: used.length > 0 ? used : allPaired(items) }, ...errors];
		if (error instanceof TrainParameterError) throw new NodeOperationError(this.getNode(), error.message, { description: error.description });
		if (error instanceof TrainError) throw new NodeOperationError(this.getNode(), error.message + note);
		throw new NodeOperationError(this.getNode(), error as Error);
	}
}
