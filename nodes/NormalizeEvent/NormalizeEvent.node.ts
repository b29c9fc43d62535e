import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { processDelivery } from '../engines/events/pipeline';
import { getSource } from '../engines/events/registry';
import type { CustomMapping, UnknownMode } from '../engines/events/types';
import { tryNormalize } from '../engines/events/types';
import { isObject, parseJsonLossless, readPath } from '../engines/events/util';
import {
	CREDENTIAL_TEST,
	SOURCE_OPTIONS,
	customSignatureProperties,
	getText,
	mappingProperties,
	readCustomHmac,
	readMapping,
	replayWindowSeconds,
	secretsFromCredential,
	testWebhookCredential,
} from '../shared/events';
import { emptyBatchPlaceholder, NO_EVENTS_LEFT } from '../shared/placeholder';

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
		credentials: [
			{
				name: 'personalizationWebhookApi',
				required: true,
				testedBy: 'personalizationWebhookApiTest',
				displayOptions: { show: { signatureCheck: ['verify'] }, hide: { source: ['ses'] } },
			},
		],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				default: 'segment',
				options: SOURCE_OPTIONS,
				description: 'Who sent the payload',
			},
			{
				displayName: 'Signature Check',
				name: 'signatureCheck',
				type: 'options',
				noDataExpression: true,
				default: 'none',
				options: [
					{ name: 'None', value: 'none', description: 'The payload was already verified, or comes from a trusted place' },
					{ name: 'Verify', value: 'verify', description: 'Verify the provider\'s signature over the raw body; failures are errors' },
				],
				description: 'Whether to verify the provider signature given the headers and the raw body',
			},
			{
				displayName: 'Payload Field',
				name: 'payloadField',
				type: 'string',
				default: 'body',
				placeholder: 'body',
				// With Verify the exact raw body (Raw Body Field) is parsed instead.
				displayOptions: { show: { signatureCheck: ['none'] } },
				description:
					'Dot path of the field that holds the payload (an object or a JSON string). Leave empty to use the whole item.',
			},
			{
				displayName: 'Raw Body Field',
				name: 'rawBodyField',
				type: 'string',
				default: 'data',
				displayOptions: { show: { signatureCheck: ['verify'] } },
				description:
					'Field (JSON text) or binary property holding the exact raw request body. In n8n\'s Webhook node turn on Options → Raw Body and use "data".',
			},
			{
				displayName: 'Headers Field',
				name: 'headersField',
				type: 'string',
				default: 'headers',
				placeholder: 'headers',
				description:
					'Dot path of the request headers (n8n\'s Webhook node puts them in "headers"). Shopify and WooCommerce send their topic there.',
			},
			{
				displayName: 'Allowed SNS Topic ARNs',
				name: 'allowedTopicArns',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'arn:aws:sns:us-east-1:123456789012:ses-events',
				displayOptions: { show: { source: ['ses'], signatureCheck: ['verify'] } },
				description:
					'Comma-separated SNS topics your SES events come from. An SNS signature proves only that AWS sent the message, not whose topic it came from, so other topics are rejected.',
			},
			...customSignatureProperties({ signatureCheck: ['verify'] }),
			...mappingProperties({}),
			{
				displayName: 'On Unknown Event',
				name: 'onUnknown',
				type: 'options',
				default: 'error',
				options: [
					{
						name: 'Drop Them',
						value: 'skip',
						description: 'Leave them out and keep the item\'s other events (an item left with none yields one skipped marker item)',
					},
					{ name: 'Fail the Item', value: 'error', description: 'Raise an error naming the topic' },
					{
						name: 'Pass Through as Unknown',
						value: 'passThrough',
						description: 'Emit event "Unknown" with the raw payload kept',
					},
				],
				description: 'What to do with a topic or call type this source does not map (e.g. SendGrid "deferred", which can come in a batch with mapped events)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Raw Payload',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description: 'Whether to keep the provider\'s payload on each event under "raw"',
					},
					{
						displayName: 'Replay Window (Seconds)',
						name: 'replayWindowSeconds',
						type: 'number',
						default: 300,
						typeOptions: { minValue: 0 },
						displayOptions: { show: { '/signatureCheck': ['verify'] } },
						description: 'Signed timestamps older or newer than this fail the check. 0 turns it off (useful when replaying stored events).',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { [CREDENTIAL_TEST]: testWebhookCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const receivedAt = new Date();
		let credential: ICredentialDataDecryptedObject | undefined;
		for (let i = 0; i < items.length; i++) {
			try {
				const sourceId = this.getNodeParameter('source', i) as string;
				const payloadField = (this.getNodeParameter('payloadField', i, 'body') as string).trim();
				const headersField = (this.getNodeParameter('headersField', i, 'headers') as string).trim();
				const onUnknown = this.getNodeParameter('onUnknown', i, 'error') as UnknownMode;
				const verify = this.getNodeParameter('signatureCheck', i, 'none') === 'verify';
				const options = this.getNodeParameter('options', i, {}) as IDataObject;
				const get = (name: string, fallback: unknown) => this.getNodeParameter(name, i, fallback);
				const source = getSource(sourceId);
				if (!source) {
					throw new NodeOperationError(this.getNode(), `Unknown source "${sourceId}"`, { itemIndex: i });
				}
				let mapping: CustomMapping | undefined;
				if (sourceId === 'custom') {
					try {
						mapping = readMapping(get);
					} catch {
						throw new NodeOperationError(this.getNode(), `Item ${i}: Event Name Map is not valid JSON`, { itemIndex: i });
					}
				}
				const headersValue = headersField ? readPath(items[i].json, headersField) : undefined;
				const headers = isObject(headersValue) ? headersValue : {};
				let events: IDataObject[];
				if (verify) {
					const rawBodyField = (this.getNodeParameter('rawBodyField', i, 'data') as string).trim();
					let rawBody: Buffer;
					const rawJson = rawBodyField ? readPath(items[i].json, rawBodyField) : undefined;
					if (typeof rawJson === 'string') rawBody = Buffer.from(rawJson, 'utf8');
					else if (rawBodyField && items[i].binary?.[rawBodyField]) rawBody = await this.helpers.getBinaryDataBuffer(i, rawBodyField);
					else {
						throw new NodeOperationError(this.getNode(), `Item ${i} has no raw body in "${rawBodyField}"`, {
							itemIndex: i,
							description: 'The signature is computed over the exact bytes the provider sent: pass them as text or as a binary property.',
						});
					}
					if (sourceId !== 'ses' && !credential) credential = await this.getCredentials<ICredentialDataDecryptedObject>('personalizationWebhookApi', i);
					const outcome = await processDelivery({
						sourceId,
						rawBody,
						headers,
						receivedAt,
						secrets: secretsFromCredential(credential),
						verifyOptions: {
							toleranceSeconds: replayWindowSeconds(options.replayWindowSeconds),
							customHmac: sourceId === 'custom' ? readCustomHmac(get) : undefined,
							fetchCertificate: async (url: string) => await getText(this.helpers, url),
						},
						onUnknown,
						keepRaw: options.includeRaw === true,
						mapping,
						allowedTopicArns:
							sourceId === 'ses'
								? String(this.getNodeParameter('allowedTopicArns', i, '') ?? '')
										.split(',')
										.map((arn) => arn.trim())
										.filter(Boolean)
								: undefined,
					});
					if (outcome.kind === 'rejected') {
						if (outcome.status === 403) {
							throw new NodeOperationError(this.getNode(), `Item ${i}: ${outcome.message}`, {
								itemIndex: i,
								description: 'List the SNS topic your SES events come from in "Allowed SNS Topic ARNs".',
							});
						}
						const what = outcome.status === 400 ? 'the payload cannot be used' : 'the signature check failed';
						throw new NodeOperationError(this.getNode(), `Item ${i}: ${what}: ${outcome.message}`, {
							itemIndex: i,
							description:
								outcome.status === 400
									? undefined
									: outcome.verify && !outcome.verify.ok && outcome.verify.reason === 'misconfigured'
										? 'Fix the setting the message names: the field this source uses in the Personalization Webhook Secrets credential, or (Custom source) the Signature Algorithm / Encoding, which must be one of the offered values (see the package README, "Setting up each source").'
										: 'The signature covers the exact bytes the provider sent. Pass them unchanged in "Raw Body Field" (n8n\'s Webhook node: Options → Raw Body, binary property "data"), not a body parsed and serialized again, and check the secret in the credential.',
						});
					}
					if (outcome.kind !== 'events') {
						throw new NodeOperationError(
							this.getNode(),
							`Item ${i} is a ${outcome.kind === 'snsSubscription' ? 'SNS SubscriptionConfirmation' : 'handshake'}, not an event`,
							{ itemIndex: i, description: 'Use the Personalization Trigger to answer handshakes.' },
						);
					}
					events = outcome.events as unknown as IDataObject[];
				} else {
					let payload: unknown = payloadField ? readPath(items[i].json, payloadField) : items[i].json;
					if (payload === undefined) {
						throw new NodeOperationError(this.getNode(), `Item ${i} has no field "${payloadField}"`, {
							itemIndex: i,
							description: 'Set "Payload Field" to the field that holds the webhook body, or leave it empty to use the whole item.',
						});
					}
					if (typeof payload === 'string') {
						try {
							payload = parseJsonLossless(payload);
						} catch {
							throw new NodeOperationError(this.getNode(), `Item ${i}: field "${payloadField}" is not valid JSON`, { itemIndex: i });
						}
					}
					const result = tryNormalize(source, { payload, headers, receivedAt, onUnknown, keepRaw: options.includeRaw === true, mapping });
					if (!result.ok) {
						throw new NodeOperationError(this.getNode(), `Item ${i}: ${result.error.message}`, {
							itemIndex: i,
							description: result.error.field ? `Field: ${result.error.field}` : undefined,
						});
					}
					events = result.events as unknown as IDataObject[];
				}
				// A batch (Segment, SendGrid, SES with several recipients) fans out: every event is paired with its item.
				for (const event of events) out.push({ json: event, pairedItem: { item: i } });
				// An empty batch (or only skipped topics) still yields one item, so no input vanishes.
				if (events.length === 0) {
					out.push({ json: emptyBatchPlaceholder(sourceId, onUnknown === 'skip' ? NO_EVENTS_LEFT : undefined), pairedItem: { item: i } });
				}
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
