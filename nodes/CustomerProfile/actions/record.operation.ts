import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkEvent, isEventRejection, type ProfileStore, type RecordResult } from '../../engines/profile';
import { batchLabel, exactError, itemError, itemMessage, readPath } from './common';
import { isEmptyBatchPlaceholder } from '../../shared/placeholder';

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
		description: 'Field added to each item with the outcome: status (recorded, duplicate, or skipped for Normalize Event\'s placeholder of an empty batch or a skipped test event) and profileId',
		displayOptions: show,
	},
	{
		displayName: 'Test Events',
		name: 'testEvents',
		type: 'options',
		default: 'record',
		options: [
			{ name: 'Record', value: 'record', description: 'Record them like any other event (counted as orders and revenue)' },
			{ name: 'Skip', value: 'skip', description: 'Pass them through unrecorded, with status skipped and reason "test event"' },
		],
		description:
			'What to do with events marked context.test: true (Shopify test orders, Stripe test mode, the trigger\'s test deliveries). Record keeps the behaviour of earlier versions.',
		displayOptions: show,
	},
];

/** An event marked as a test (Normalize Event sets `context.test: true` for Shopify test orders and Stripe test mode). */
function isTestEvent(event: unknown): boolean {
	const context = event !== null && typeof event === 'object' ? (event as { context?: unknown }).context : undefined;
	return context !== null && typeof context === 'object' && (context as { test?: unknown }).test === true;
}

interface Pending {
	/** Input item index. */
	i: number;
	event: unknown;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = new Array(items.length);
	const events: Pending[] = [];
	const continueOnFail = this.continueOnFail();
	for (let i = 0; i < items.length; i++) {
		try {
			const field = (this.getNodeParameter('eventField', i, '') as string).trim();
			const event = field ? readPath(items[i].json, field) : items[i].json;
			// An empty batch's placeholder: nothing to record; it passes through, paired, with status skipped.
			if (isEmptyBatchPlaceholder(items[i].json) || (field && isEmptyBatchPlaceholder(event))) {
				const resultField = (this.getNodeParameter('resultField', i, 'recorded') as string).trim() || 'recorded';
				out[i] = { json: { ...items[i].json, [resultField]: { status: 'skipped', profileId: null } }, pairedItem: { item: i } };
				continue;
			}
			if (event === undefined) {
				throw new NodeOperationError(this.getNode(), `Item ${i} has no field "${field}"`, { itemIndex: i });
			}
			// A test event, when the node skips them: passes through, paired, unrecorded (no profile is touched).
			if (isTestEvent(event) && this.getNodeParameter('testEvents', i, 'record') === 'skip') {
				const resultField = (this.getNodeParameter('resultField', i, 'recorded') as string).trim() || 'recorded';
				out[i] = { json: { ...items[i].json, [resultField]: { status: 'skipped', profileId: null, reason: 'test event' } }, pairedItem: { item: i } };
				continue;
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
			if (continueOnFail) {
				out[i] = { json: { error: itemMessage(error, i) }, pairedItem: { item: i } };
				continue;
			}
			throw itemError(this, error, i);
		}
	}

	// A store failure of the whole store (unreachable, locked, full): later batches are not tried.
	let storeDown: Error | undefined;
	const fail = (part: Pending[], message: string) => {
		for (const { i } of part) out[i] = { json: { error: `Item ${i}: not recorded: ${message}` }, pairedItem: { item: i } };
	};
	const write = (part: Pending[], results: RecordResult[]) => {
		part.forEach(({ i }, k) => {
			const r = results[k];
			const resultField = (this.getNodeParameter('resultField', i, 'recorded') as string).trim() || 'recorded';
			out[i] = {
				json: { ...items[i].json, [resultField]: { status: r.status, profileId: r.profileId ?? null } as IDataObject },
				pairedItem: { item: i },
			};
		});
	};
	/**
	 * Records one batch in one transaction. With Continue On Fail, a batch the database refuses
	 * because of an event in it (a constraint or data error) is retried in halves, down to single
	 * events, so only the items it refuses fail; a failure of the store fails the batch's items.
	 */
	const recordPart = async (part: Pending[], earlier: number): Promise<void> => {
		if (storeDown) return fail(part, `the store failed on an earlier batch: ${storeDown.message}`);
		let results: RecordResult[];
		try {
			results = await store.record(part.map((c) => c.event));
		} catch (caught) {
			const error = caught as Error;
			const rejection = isEventRejection(error);
			if (!continueOnFail) {
				throw exactError(this, `${batchLabel(part)}: not recorded: ${error.message}`, {
					itemIndex: part[0].i,
					description:
						(part.length > 1 ? 'These items are recorded in one transaction, which the store refused, so none of them was written. ' : 'Nothing of this item was written. ') +
						(earlier > 0 ? `The ${earlier} valid items before them were recorded. ` : '') +
						(rejection
							? 'The database refused an event (a constraint or data error). With Continue On Fail, only the items it refuses fail and the others are recorded.'
							: 'The store itself failed (e.g. unreachable, locked or full).'),
				});
			}
			if (rejection && part.length > 1) {
				const half = Math.ceil(part.length / 2);
				await recordPart(part.slice(0, half), earlier);
				await recordPart(part.slice(half), earlier + half);
				return;
			}
			if (!rejection) storeDown = error;
			return fail(part, error.message);
		}
		write(part, results);
	};
	for (let start = 0; start < events.length; start += RECORD_CHUNK) {
		await recordPart(events.slice(start, start + RECORD_CHUNK), start);
	}
	return [out];
}
