import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkEvent, type ProfileStore } from '../../engines/profile';
import { itemError, readPath } from './common';

const show = { show: { operation: ['record'] } };

/** Events per transaction: a larger input is recorded as several transactions of this size. */
export const RECORD_CHUNK = 1000;

export const description: INodeProperties[] = [
	{
		displayName: 'Event Field',
		name: 'eventField',
		type: 'string',
		default: '',
		placeholder: 'event',
		description: 'Dot path of the field that holds the canonical event. Leave empty when the item is the event (output of Normalize Event).',
		displayOptions: show,
	},
	{
		displayName: 'Put Result In Field',
		name: 'resultField',
		type: 'string',
		default: 'recorded',
		description: 'Field added to each item with the outcome: status (recorded or duplicate) and profileId',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = new Array(items.length);
	const events: Array<{ i: number; event: unknown }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const field = (this.getNodeParameter('eventField', i, '') as string).trim();
			const event = field ? readPath(items[i].json, field) : items[i].json;
			if (event === undefined) {
				throw new NodeOperationError(this.getNode(), `Item ${i} has no field "${field}"`, { itemIndex: i });
			}
			// Validate before anything is written: a bad event fails its item and changes nothing.
			const problem = checkEvent(event);
			if (problem) {
				throw new NodeOperationError(this.getNode(), `Item ${i}: ${problem.message}`, {
					itemIndex: i,
					description: `Field: ${field ? `${field}.` : ''}${problem.field}`,
				});
			}
			events.push({ i, event });
		} catch (error) {
			if (this.continueOnFail()) {
				out[i] = { json: { error: (error as Error).message }, pairedItem: { item: i } };
				continue;
			}
			throw itemError(this, error, i);
		}
	}
	for (let start = 0; start < events.length; start += RECORD_CHUNK) {
		const chunk = events.slice(start, start + RECORD_CHUNK);
		let results;
		try {
			results = await store.record(chunk.map((c) => c.event));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `Recording events failed: ${(error as Error).message}`, {
				itemIndex: chunk[0].i,
				description: start > 0 ? `Items before ${chunk[0].i} were recorded; this batch and later ones were not.` : undefined,
			});
		}
		chunk.forEach(({ i }, k) => {
			const r = results[k];
			const resultField = (this.getNodeParameter('resultField', i, 'recorded') as string).trim() || 'recorded';
			out[i] = {
				json: { ...items[i].json, [resultField]: { status: r.status, profileId: r.profileId ?? null } as IDataObject },
				pairedItem: { item: i },
			};
		});
	}
	return [out];
}
