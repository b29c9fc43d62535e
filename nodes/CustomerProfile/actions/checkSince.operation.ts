import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { eventPosition, type ProfileStore, type SinceStart } from '../../engines/profile';
import { canonicalEventName } from '../../engines/types/CanonicalEvent';
import { dateParameterMs, failedItem, findByProperties, isPlaceholderItem, lookupFor } from './common';

const show = { show: { operation: ['checkSince'] } };

export const description: INodeProperties[] = [
	...findByProperties.map((p) => ({
		...p,
		displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, operation: ['checkSince'] } },
	})),
	{
		displayName: 'Event Name',
		name: 'eventName',
		type: 'string',
		default: 'Order Completed',
		placeholder: 'Order Completed',
		description: 'The canonical event to look for, e.g. Order Completed, Checkout Started, Email Link Clicked (a canonical name in any case, e.g. order completed, is that event, and events recorded under the name exactly as typed count too; other names match as written)',
		displayOptions: show,
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'options',
		default: 'triggeringEvent',
		options: [
			{
				name: 'The Triggering Event',
				value: 'triggeringEvent',
				description: 'Events after the item (a canonical event, e.g. the abandoned checkout): later, or at the same time and received after it; the item itself does not count',
			},
			{ name: 'A Time', value: 'time', description: 'Since the time set below' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Events at the Same Time',
		name: 'sameTime',
		type: 'options',
		default: 'receivedAfter',
		options: [
			{
				name: 'Count Those Received After the Item',
				value: 'receivedAfter',
				description:
					'Of two events at the same time, exactly one is after the other (for "a newer checkout event since?" checks, where one of two same-second checkouts must be the last)',
			},
			{
				name: 'Count Them All',
				value: 'all',
				description: 'An event at the very time of the item counts whenever it was received (for "bought since?": an order in the same second as its checkout, received first)',
			},
		],
		displayOptions: { show: { operation: ['checkSince'], since: ['triggeringEvent'] } },
	},
	{
		displayName: 'Since Time',
		name: 'sinceTime',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Count events at or after this time',
		displayOptions: { show: { operation: ['checkSince'], since: ['time'] } },
	},
	{
		displayName: 'Output',
		name: 'checkOutput',
		type: 'options',
		default: 'field',
		options: [
			{ name: 'Add a True/False Field', value: 'field', description: 'One output; use an IF node on the field' },
			{ name: 'Route to Two Outputs', value: 'route', description: 'Items go to "Happened" or "Not Happened"' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Result Field',
		name: 'sinceField',
		type: 'string',
		default: 'happenedSince',
		description: 'Boolean field added to the item: true when the event happened since',
		displayOptions: { show: { operation: ['checkSince'], checkOutput: ['field'] } },
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const route = (this.getNodeParameter('checkOutput', 0, 'field') as string) === 'route';
	const yes: INodeExecutionData[] = [];
	const no: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			// An empty batch's placeholder: no customer and no triggering event; it passes through,
			// paired, as "did not happen" (what an unknown customer gives).
			if (isPlaceholderItem(items[i])) {
				if (route) no.push({ json: items[i].json, pairedItem: { item: i } });
				else {
					const field = (this.getNodeParameter('sinceField', i, 'happenedSince') as string).trim() || 'happenedSince';
					yes.push({ json: { ...items[i].json, [field]: false }, pairedItem: { item: i } });
				}
				continue;
			}
			const lookup = lookupFor(this, items[i], i);
			const typed = (this.getNodeParameter('eventName', i, '') as string).trim();
			const eventName = canonicalEventName(typed);
			if (!eventName) throw new NodeOperationError(this.getNode(), `Item ${i}: "Event Name" is empty`, { itemIndex: i });
			const sinceMode = this.getNodeParameter('since', i, 'triggeringEvent') as string;
			let since: SinceStart;
			if (sinceMode === 'time') {
				// events at that very time count
				since = new Date(dateParameterMs(this, this.getNodeParameter('sinceTime', i, ''), 'Since Time', i));
			} else {
				// the item where Record Events put it (timestamp, receivedAt, messageId): the events after it count
				const position = eventPosition(items[i].json);
				if (position === undefined) {
					throw new NodeOperationError(this.getNode(), `Item ${i} has no parseable "timestamp" field to check since`, {
						itemIndex: i,
						description: 'Feed the triggering canonical event, or set "Since" to "A Time".',
					});
				}
				const sameTime = this.getNodeParameter('sameTime', i, 'receivedAfter') as string;
				since = sameTime === 'all' ? { ...position, sameTimeCounts: true } : position;
			}
			let result = await store.hasEventSince(lookup, eventName, since);
			// Events recorded under the name exactly as typed ("order completed" from a workflow's own
			// events, which Record Events keeps as given) still count, as they did before canonical names.
			if (!result.happened && typed !== eventName) result = await store.hasEventSince(lookup, typed, since);
			if (route) {
				(result.happened ? yes : no).push({ json: items[i].json, pairedItem: { item: i } });
			} else {
				const field = (this.getNodeParameter('sinceField', i, 'happenedSince') as string).trim() || 'happenedSince';
				yes.push({ json: { ...items[i].json, [field]: result.happened }, pairedItem: { item: i } });
			}
		} catch (error) {
			(route ? no : yes).push(failedItem(this, error, i));
		}
	}
	return route ? [yes, no] : [yes];
}
