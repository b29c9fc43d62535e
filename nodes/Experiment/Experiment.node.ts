import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as analyze from './actions/analyze.operation';
import * as assign from './actions/assign.operation';
import { router } from './actions/router';

export class Experiment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'A/B Experiment',
		name: 'experiment',
		icon: { light: 'file:experiment.svg', dark: 'file:experiment.dark.svg' },
		group: ['transform'],
		// 1.1: Assign lower-cases email-like customer ids and falls back to profile.userId (Get Profile);
		// version 1 assigns as it always did, so running experiments keep their variants.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Assign customers to test variants and tell whether a variant wins',
		defaults: { name: 'A/B Experiment' },
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
				default: 'assign',
				options: [
					{ name: 'Analyze', value: 'analyze', description: 'Compare variants: lift, confidence intervals, p-value, sample size, verdict', action: 'Analyze experiment results' },
					{ name: 'Assign', value: 'assign', description: 'Give each customer a stable variant', action: 'Assign customers to variants' },
				],
			},
			...assign.description,
			...analyze.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
