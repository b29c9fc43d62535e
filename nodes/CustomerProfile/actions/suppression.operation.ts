import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { emailKey, type ProfileStore, type Suppression } from '../../engines/profile';
import { batchLabel, failedItem, exactError, isPlaceholderItem } from './common';

const show = { show: { operation: ['suppression'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		default: '={{ $json.email }}',
		required: true,
		description: 'The recipient address to check',
		displayOptions: show,
	},
	{
		displayName: 'Put Result In Field',
		name: 'suppressionField',
		type: 'string',
		default: 'suppression',
		description: 'Field that receives suppressed, unsubscribed, bounced, complained and known',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = new Array(items.length);
	const wanted: Array<{ i: number; email: string }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			// An empty batch's placeholder: no address to check; it passes through, paired, as an unknown address.
			if (isPlaceholderItem(items[i])) {
				const field = (this.getNodeParameter('suppressionField', i, 'suppression') as string).trim() || 'suppression';
				const unknown: Suppression = { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false };
				out[i] = { json: { ...items[i].json, [field]: unknown }, pairedItem: { item: i } };
				continue;
			}
			// `Ann Lee <ann@example.com>` is checked as ann@example.com, the address it is stored under
			const email = emailKey(String(this.getNodeParameter('email', i, '') ?? ''));
			if (!email || !email.includes('@')) {
				throw new NodeOperationError(this.getNode(), `Item ${i}: "Email" (${email || 'empty'}) is not an email address`, { itemIndex: i });
			}
			wanted.push({ i, email });
		} catch (error) {
			out[i] = failedItem(this, error, i);
		}
	}
	if (wanted.length === 0) return [out];
	let found: Map<string, Suppression>;
	try {
		found = await store.isSuppressed(wanted.map((w) => w.email));
	} catch (error) {
		// one query answers for every address: a store failure fails each item that asked
		const message = (error as Error).message;
		if (!this.continueOnFail()) throw exactError(this, `${batchLabel(wanted)}: the suppression check failed: ${message}`, { itemIndex: wanted[0].i });
		for (const { i } of wanted) out[i] = { json: { error: `Item ${i}: the suppression check failed: ${message}` }, pairedItem: { item: i } };
		return [out];
	}
	for (const { i, email } of wanted) {
		const field = (this.getNodeParameter('suppressionField', i, 'suppression') as string).trim() || 'suppression';
		out[i] = { json: { ...items[i].json, [field]: { ...found.get(email)! } as IDataObject }, pairedItem: { item: i } };
	}
	return [out];
}
