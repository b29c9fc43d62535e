import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { SOURCES, getSource } from '../engines/events/registry';
import { tryNormalize } from '../engines/events/types';

export class NormalizeEvent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Normalize Event',
		name: 'normalizeEvent',
		icon: { light: 'file:normalizeEvent.svg', dark: 'file:normalizeEvent.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"from " + $parameter["source"]}}',
		description: 'Turn store, CDP and ESP payloads into canonical Segment-spec events',
		defaults: { name: 'Normalize Event' },
		usableAsTool: true,
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node -- superseded by n8n's node-connection-type-literal rule
		inputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- superseded by n8n's node-connection-type-literal rule
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				default: 'segment',
				options: Object.values(SOURCES).map((s) => ({ name: s.displayName, value: s.id })),
				description: 'Who sent the payload',
			},
			{
				displayName: 'Payload Field',
				name: 'payloadField',
				type: 'string',
				default: 'body',
				placeholder: 'body',
				description:
					'Dot path of the field that holds the payload (an object or a JSON string). Leave empty to use the whole item.',
			},
			{
				displayName: 'On Unknown Event',
				name: 'onUnknown',
				type: 'options',
				default: 'error',
				options: [
					{ name: 'Fail the Item', value: 'error', description: 'Raise an error naming the topic' },
					{
						name: 'Pass Through as Unknown',
						value: 'passThrough',
						description: 'Emit event "Unknown" with the raw payload kept',
					},
				],
				description: 'What to do with a topic or call type this source does not map',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const receivedAt = new Date();
		for (let i = 0; i < items.length; i++) {
			try {
				const sourceId = this.getNodeParameter('source', i) as string;
				const payloadField = (this.getNodeParameter('payloadField', i, 'body') as string).trim();
				const onUnknown = this.getNodeParameter('onUnknown', i, 'error') as string;
				const source = getSource(sourceId);
				if (!source) {
					throw new NodeOperationError(this.getNode(), `Unknown source "${sourceId}"`, { itemIndex: i });
				}
				let payload: unknown = payloadField ? readPath(items[i].json, payloadField) : items[i].json;
				if (payload === undefined) {
					throw new NodeOperationError(
						this.getNode(),
						`Item ${i} has no field "${payloadField}"`,
						{ itemIndex: i, description: 'Set "Payload Field" to the field that holds the webhook body, or leave it empty to use the whole item.' },
					);
				}
				if (typeof payload === 'string') {
					try {
						payload = JSON.parse(payload);
					} catch {
						throw new NodeOperationError(this.getNode(), `Item ${i}: field "${payloadField}" is not valid JSON`, { itemIndex: i });
					}
				}
				const result = tryNormalize(source, { payload, receivedAt });
				let events: IDataObject[];
				if (result.ok) {
					events = result.events as unknown as IDataObject[];
				} else if (result.error.kind === 'unknownTopic' && onUnknown === 'passThrough') {
					events = [
						{
							type: 'track',
							event: 'Unknown',
							messageId: `unknown-${receivedAt.getTime()}-${i}`,
							timestamp: receivedAt.toISOString(),
							receivedAt: receivedAt.toISOString(),
							properties: {},
							context: { source: sourceId },
							raw: payload as IDataObject,
						},
					];
				} else {
					throw new NodeOperationError(this.getNode(), `Item ${i}: ${result.error.message}`, {
						itemIndex: i,
						description: result.error.field ? `Field: ${result.error.field}` : undefined,
					});
				}
				for (const event of events) out.push({ json: event, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
		return [out];
	}
}

function readPath(data: IDataObject, path: string): unknown {
	let current: unknown = data;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}
