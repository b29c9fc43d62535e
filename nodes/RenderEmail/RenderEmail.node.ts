import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as lint from './actions/lint.operation';
import * as render from './actions/render.operation';
import { router } from './actions/router';
import { templateProperties } from './actions/shared';
import { CREDENTIAL_TEST, testWebhookCredential } from '../shared/events';

export class RenderEmail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Render Email',
		name: 'renderEmail',
		icon: { light: 'file:renderEmail.svg', dark: 'file:renderEmail.dark.svg' },
		group: ['transform'],
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] === "lint" ? "lint template" : "render per recipient"}}',
		description: 'Render a personalized email per recipient from Liquid + MJML content blocks, or lint a template before sending',
		defaults: { name: 'Render Email' },
		usableAsTool: true,
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node -- superseded by n8n's node-connection-type-literal rule
		inputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- superseded by n8n's node-connection-type-literal rule
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				// only read when Options → Signed Unsubscribe Link Base URL is set
				name: 'personalizationWebhookApi',
				required: false,
				testedBy: 'personalizationWebhookApiTest', // = CREDENTIAL_TEST, written out for the community-node lint (it reads literals)
				displayOptions: { show: { operation: ['render'] } },
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'render',
				options: [
					{
						name: 'Render',
						value: 'render',
						action: 'Render an email per recipient',
						description: 'Subject, preheader, responsive HTML and text for every input item',
					},
					{
						name: 'Lint',
						value: 'lint',
						action: 'Lint a template before sending',
						description: 'One report on the template and a sample recipient, a severity per finding',
					},
				],
			},
			...templateProperties,
			...render.description,
			...lint.description,
		],
	};

	methods = {
		credentialTest: { [CREDENTIAL_TEST]: testWebhookCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
