import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { emailKey, type ProfileStore, type Suppression } from '../../engines/profile';
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
			'Field that receives the profile (null when the store has no such customer); "profileFound" tells which. Its unsubscribed, bounced and complained are its address\'s, as Check Suppression gives them: also set when another profile at the address (never merged with this one) or an erased customer\'s kept record holds them, named in "addressSuppression". A customer not found whose address is suppressed on another profile (shared address) also gets "suppression", as Check Suppression gives it (an object the item already has there keeps its fields, with the store\'s flags added).',
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
				const email = emailKey(lookup.email);
				const facts = (await store.isSuppressed([email])).get(email);
				if (facts?.suppressed) json.suppression = withStoreFacts(items[i].json.suppression, facts);
			}
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			out.push(failedItem(this, error, i));
		}
	}
	return [out];
}

/**
 * The item's `suppression` with the store's facts for its address added. An item may already carry
 * one (a CRM's opt-out record, or Check Suppression of another address field): its fields are
 * kept and each flag the store finds set is set on it (an OR: a flag never goes from set to
 * unset), so neither the item's own reasons nor the store's are lost. Anything that is not an
 * object (ESP Dispatch reads only an object there) is replaced by the store's facts.
 */
function withStoreFacts(existing: unknown, facts: Suppression): IDataObject {
	if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) return { ...facts } as unknown as IDataObject;
	const merged: IDataObject = { ...(existing as IDataObject) };
	for (const [flag, value] of Object.entries(facts) as Array<[keyof Suppression, boolean]>) {
		if (value || !Object.hasOwn(merged, flag)) merged[flag] = value;
	}
	return merged;
}
