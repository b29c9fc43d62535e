import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { ProfileStore } from '../../engines/profile';
import { failedItem, findByProperties, isPlaceholderItem, lookupFor } from './common';

export const description: INodeProperties[] = findByProperties.map((p) => ({
	...p,
	displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, operation: ['erase'] } },
}));

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			// An empty batch's placeholder: no customer to erase; it passes through, paired, erasing nothing.
			if (isPlaceholderItem(items[i])) {
				out.push({
					json: { ...items[i].json, erased: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 0 },
					pairedItem: { item: i },
				});
				continue;
			}
			const result = await store.erase(lookupFor(this, items[i], i));
			out.push({
				json: {
					erased: result.found,
					profileId: result.profileId,
					profilesDeleted: result.profilesDeleted,
					identitiesDeleted: result.identitiesDeleted,
					eventsDeleted: result.eventsDeleted,
					sendsDeleted: result.sendsDeleted,
				},
				pairedItem: { item: i },
			});
		} catch (error) {
			out.push(failedItem(this, error, i));
		}
	}
	return [out];
}
