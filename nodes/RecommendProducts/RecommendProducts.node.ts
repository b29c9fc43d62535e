import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as evaluate from './actions/evaluate.operation';
import * as recommend from './actions/recommend.operation';
import { router } from './actions/router';
import * as train from './actions/train.operation';

export class RecommendProducts implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Recommend Products',
		name: 'recommendProducts',
		icon: { light: 'file:recommendProducts.svg', dark: 'file:recommendProducts.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Learn which products are bought together and recommend products to each customer',
		defaults: { name: 'Recommend Products' },
		usableAsTool: true,
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node -- superseded by n8n's node-connection-type-literal rule
		inputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- superseded by n8n's node-connection-type-literal rule
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'recommend',
				options: [
					{ name: 'Evaluate', value: 'evaluate', description: 'Hold out each customer\'s last new product, or everything after a cut-off date, and measure hit rate and MAP against best sellers', action: 'Evaluate a model on order history' },
					{ name: 'Recommend', value: 'recommend', description: 'Add the top products for each customer item', action: 'Recommend products to customers' },
					{ name: 'Train', value: 'train', description: 'Build a model from order lines (and product views)', action: 'Train a model from order lines' },
				],
			},
			...train.description,
			...recommend.description,
			...evaluate.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
