import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { compileTemplate, renderCompiled, RenderFailure, TemplateError, type CompiledTemplate } from '../../engines/render';
import { perVersion } from '../../shared/versions';
import { liquidOptions, readData, readTemplate, readUnsubscribeUrl, withUnsubscribeUrl } from './shared';
import { signedLinkOptions, signedUnsubscribeUrl, type SecretReader } from './signedUnsubscribe';

const show = { show: { operation: ['render'] } };

/** Output Field default of a node version (ESP Dispatch 1.1 reads `message`). */
export function outputFieldDefault(version: number): string {
	return version >= 1.1 ? 'message' : 'email';
}

export const description: INodeProperties[] = [
	// Version 1 wrote into `email`, where canonical events and profiles keep the recipient's
	// address; 1.1 writes into `message`, which ESP Dispatch 1.1 reads by default.
	...perVersion(
		{
			displayName: 'Output Field',
			name: 'outputField',
			type: 'string',
			default: '',
			required: true,
			displayOptions: show,
			description:
				'Field of the output item that receives the rendered email (subject, preheader, html, text, size_bytes, blocks_shown, warnings, from, reply_to, unsubscribe_url). The other input fields stay as they are; avoid `email`, which holds the recipient address in events and profiles.',
		},
		{ 1: outputFieldDefault(1), 1.1: outputFieldDefault(1.1) },
	),
	{
		displayName: 'From Email',
		name: 'fromEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		displayOptions: show,
		description: 'Sender address passed through for ESP Dispatch',
	},
	{
		displayName: 'From Name',
		name: 'fromName',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Sender name passed through for ESP Dispatch',
	},
	{
		displayName: 'Reply-To',
		name: 'replyTo',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		displayOptions: show,
		description: 'Reply-to address passed through for ESP Dispatch',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			...liquidOptions,
			...signedLinkOptions,
			{
				displayName: 'Include Text Part',
				name: 'includeText',
				type: 'boolean',
				default: true,
				description: 'Whether to generate the plain-text alternative from the HTML',
			},
		],
	},
];

async function signingSecret(ctx: IExecuteFunctions, i: number): Promise<string> {
	let credential: ICredentialDataDecryptedObject;
	try {
		credential = await ctx.getCredentials<ICredentialDataDecryptedObject>('personalizationWebhookApi', i);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: the signed unsubscribe link needs the Personalization Webhook Secrets credential: ${(error as Error).message}`, {
			itemIndex: i,
			description: 'Select the credential the Personalization Trigger (source Unsubscribe Link) uses; its Signing Secret signs the links.',
		});
	}
	// trimmed as the trigger trims it (secretsFromCredential)
	return typeof credential.signingSecret === 'string' ? credential.signingSecret.trim() : '';
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	// Items usually share one template: compare the resolved parameters before hashing again.
	let lastKey = '';
	let last: CompiledTemplate | undefined;
	// The credential is read once, and only when an item asks for a signed link.
	let secret: Promise<string> | undefined;
	const readSecret: SecretReader = (i) => (secret ??= signingSecret(this, i));
	for (let i = 0; i < items.length; i++) {
		try {
			const { input, defaults } = readTemplate(this, i);
			const key = JSON.stringify(input);
			let compiled: CompiledTemplate;
			if (last && key === lastKey) {
				compiled = last;
			} else {
				compiled = await compileTemplate(input);
				last = compiled;
				lastKey = key;
			}
			const fallback = outputFieldDefault(this.getNode().typeVersion);
			const outputField = (this.getNodeParameter('outputField', i, fallback) as string).trim() || fallback;
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			// A signed link (Options → Signed Unsubscribe Link Base URL) replaces the Unsubscribe URL.
			const unsubscribeUrl = (await signedUnsubscribeUrl(this, items[i].json, i, options, readSecret)) ?? readUnsubscribeUrl(this, i);
			const data = withUnsubscribeUrl(readData(this, items[i].json, i), unsubscribeUrl);
			const result = renderCompiled(compiled, data, { defaults, skipText: options.includeText === false });
			const fromEmail = (this.getNodeParameter('fromEmail', i, '') as string).trim();
			const fromName = (this.getNodeParameter('fromName', i, '') as string).trim();
			const replyTo = (this.getNodeParameter('replyTo', i, '') as string).trim();
			const email: IDataObject = { ...result };
			if (fromEmail) email.from = fromName ? { email: fromEmail, name: fromName } : { email: fromEmail };
			if (replyTo) email.reply_to = replyTo;
			// The same URL as the body's {{ unsubscribe_url }}: ESP Dispatch 1.1 puts it in List-Unsubscribe.
			if (unsubscribeUrl) email.unsubscribe_url = unsubscribeUrl;
			out.push({ json: { ...items[i].json, [outputField]: email }, pairedItem: { item: i } });
		} catch (error) {
			if (this.continueOnFail()) {
				const text = (error as Error).message;
				const message = /^Item \d+: /.test(text) ? text : `Item ${i}: ${text}`;
				// On Error → Continue keeps the recipient's fields beside the error. "Continue (using error
				// output)" needs an item of the error alone: n8n routes only such items to the error output
				// (and merges the input item's fields back in itself).
				const json = this.getNode().onError === 'continueErrorOutput' ? { error: message } : { ...items[i].json, error: message };
				out.push({ json, pairedItem: { item: i } });
				continue;
			}
			const description =
				error instanceof TemplateError
					? `Check: ${error.details.check}${error.details.source ? `, in ${error.details.source}` : ''}${error.details.line ? ` line ${error.details.line}` : ''}`
					: error instanceof RenderFailure
						? 'Only this recipient failed to render; the template compiled.'
						: undefined;
			throw error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), `Item ${i}: ${(error as Error).message}`, { itemIndex: i, description });
		}
	}
	return out;
}
