import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { operations, router } from './actions/router';

export class CustomerSegments implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Customer Segments',
		name: 'customerSegments',
		icon: { light: 'file:customerSegments.svg', dark: 'file:customerSegments.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'RFM segments, rule-based micro-segments, predictive scores and customer lifetime value',
		defaults: { name: 'Customer Segments' },
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
				default: 'rfm',
				options: [
					{ name: 'Lifetime Value', value: 'lifetimeValue', action: 'Predict customer lifetime value', description: 'BG/NBD + Gamma-Gamma: P(alive), expected purchases and CLV' },
					{ name: 'Predict', value: 'predict', action: 'Score customers with a trained model', description: 'Probability and label from a model made by Train Model' },
					{ name: 'RFM', value: 'rfm', action: 'Score customers by RFM', description: 'Recency, frequency, monetary scores and named segments' },
					{ name: 'Rules', value: 'rules', action: 'Match customers to rule based segments', description: 'Micro-segments from events and profile fields' },
					{ name: 'Train Model', value: 'trainModel', action: 'Train a predictive model', description: 'Logistic regression with cross-validated metrics' },
				],
			},
			...operations.rfm.description,
			...operations.rules.description,
			...operations.trainModel.description,
			...operations.predict.description,
			...operations.lifetimeValue.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
