import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { train, TrainError } from '../../engines/reco/train';
import { allPaired, lineProperties, noLinesNote, readInteractions, readTrainOptions, TrainParameterError } from './common';

export const description: INodeProperties[] = [
	...lineProperties(['train', 'evaluate']),
	{
		displayName: 'Output Model As',
		name: 'outputFormat',
		type: 'options',
		default: 'json',
		options: [
			{ name: 'JSON Item', value: 'json', description: 'One item whose "model" field holds the model (store it in a data table, database or static data)' },
			{ name: 'Binary File', value: 'binary', description: 'One item with the model as a JSON file (for big catalogues: write it to disk or S3)' },
		],
		displayOptions: { show: { operation: ['train'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'model',
		description: 'Binary property to write the model file to',
		displayOptions: { show: { operation: ['train'], outputFormat: ['binary'] } },
	},
];

/** Aggregates: all input items → one model item, paired with every input item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { interactions, errors, used, ordersWithoutProducts } = readInteractions(this, items);
	let model;
	try {
		model = train(interactions, readTrainOptions(this));
	} catch (error) {
		const note = error instanceof TrainError ? noLinesNote(ordersWithoutProducts, interactions) : '';
		if (this.continueOnFail()) return [{ json: { error: (error as Error).message + note }, pairedItem: used.length > 0 ? used : allPaired(items) }, ...errors];
		if (error instanceof TrainParameterError) throw new NodeOperationError(this.getNode(), error.message, { description: error.description });
		if (error instanceof TrainError) throw new NodeOperationError(this.getNode(), error.message + note, { description: 'Check the order-line fields: no usable order line was found.' });
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const format = this.getNodeParameter('outputFormat', 0, 'json') as string;
	const paired = used;
	const summary = { trainedAt: model.trainedAt, similarity: model.similarity, stats: model.stats, ...(ordersWithoutProducts > 0 ? { ordersWithoutProducts } : {}) };
	if (format === 'binary') {
		const property = (this.getNodeParameter('binaryPropertyName', 0, 'model') as string).trim() || 'model';
		const binary = await this.helpers.prepareBinaryData(Buffer.from(JSON.stringify(model)), 'recommendation-model.json', 'application/json');
		return [{ json: summary, binary: { [property]: binary }, pairedItem: paired }, ...errors];
	}
	return [{ json: { ...summary, model: model as unknown as Record<string, unknown> } as never, pairedItem: paired }, ...errors];
}
