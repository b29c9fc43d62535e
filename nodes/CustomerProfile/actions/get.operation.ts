import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { ProfileStore } from '../../engines/profile';
import { failedItem, findByProperties, isPlaceholderItem, lookupFor } from './common';

const show = { show: { operation: ['get'] } };

export const description: INodeProperties[] = [
	...findByProperties.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, operation: ['get'] } } })),
	{
		displayName: 'Put Profile In Field',
		name: 'profileField',
		type: 'string',
		default: 'profile',
		description:
			'Field that receives the profile (null when the store has no such customer); "profileFound" tells which. A customer not found whose address is suppressed on another profile (shared address) also gets "suppression", as Check Suppression gives it.',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const field = (this.getNodeParameter('profileField', i, 'profile') as string).trim() || 'profile';
			// An empty batch's placeholder: no customer to look up; it passes through, paired, as not found.
			if (isPlaceholderItem(items[i])) {
				out.push({ json: { ...items[i].json, [field]: null, profileFound: false }, pairedItem: { item: i } });
				continue;
			}
			const lookup = lookupFor(this, items[i], i);
			const profile = await store.get(lookup);
			const json: IDataObject = { ...items[i].json, [field]: profile as unknown as IDataObject | null, profileFound: profile !== null };
			// Not found, but the address may be suppressed on another customer's profile (a shared
			// address whose hard bounce, complaint or unsubscribe is kept there): address facts hold for
			// whoever is mailed at it, so they come out as Check Suppression gives them, where ESP
			// Dispatch reads them first ("suppression").
			if (profile === null && lookup.email) {
				const email = lookup.email.trim().toLowerCase();
				const facts = (await store.isSuppressed([email])).get(email);
				if (facts?.suppressed) json.suppression = facts as unknown as IDataObject;
			}
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			out.push(failedItem(this, error, i));
		}
	}
	return [out];
}
