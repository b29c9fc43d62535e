import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ProfileStore } from '../../engines/profile';
import { itemError } from './common';

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
			const email = String(this.getNodeParameter('email', i, '') ?? '').trim().toLowerCase();
			if (!email || !email.includes('@')) {
				throw new NodeOperationError(this.getNode(), `Item ${i}: "Email" (${email || 'empty'}) is not an email address`, { itemIndex: i });
			}
			wanted.push({ i, email });
		} catch (error) {
			if (this.continueOnFail()) {
				out[i] = { json: { error: (error as Error).message }, pairedItem: { item: i } };
				continue;
			}
			throw itemError(this, error, i);
		}
	}
	const found = await store.isSuppressed(wanted.map((w) => w.email));
	for (const { i, email } of wanted) {
		const field = (this.getNodeParameter('suppressionField', i, 'suppression') as string).trim() || 'suppression';
		out[i] = { json: { ...items[i].json, [field]: { ...found.get(email)! } as IDataObject }, pairedItem: { item: i } };
	}
	return [out];
}
