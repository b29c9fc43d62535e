import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { evaluate } from '../../engines/reco/evaluate';
import { TrainError } from '../../engines/reco/train';
import { allPaired, readInteractions, readTrainOptions, TrainParameterError } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'List Length (N)',
		name: 'evaluateCount',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 10,
		description: 'Hit rate and MAP are measured on the first N recommendations',
		displayOptions: { show: { operation: ['evaluate'] } },
	},
];

/** Aggregates: all order lines → one metrics item (leave-last-purchase-out), paired with every input item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { interactions, errors, used } = readInteractions(this, items);
	const n = this.getNodeParameter('evaluateCount', 0, 10) as number;
	try {
		const result = evaluate(interactions, { n, train: readTrainOptions(this) });
		return [{ json: { ...result } as never, pairedItem: used }, ...errors];
	} catch (error) {
		if (this.continueOnFail()) return [{ json: { error: (error as Error).message }, pairedItem: used.length > 0 ? used : allPaired(items) }, ...errors];
		if (error instanceof TrainParameterError) throw new NodeOperationError(this.getNode(), error.message, { description: error.description });
		if (error instanceof TrainError) throw new NodeOperationError(this.getNode(), error.message);
		throw new NodeOperationError(this.getNode(), error as Error);
	}
}
