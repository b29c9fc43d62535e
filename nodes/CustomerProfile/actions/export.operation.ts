import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { flattenProfile, toCsv, PROFILE_CSV_COLUMNS, TRANSACTION_CSV_COLUMNS, type ProfileStore } from '../../engines/profile';
import { dateParameterMs, failedItem, exactError } from './common';

const show = { show: { operation: ['export'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Export',
		name: 'exportWhat',
		type: 'options',
		default: 'profiles',
		options: [
			{ name: 'Profiles', value: 'profiles', description: 'One row per customer (recency, frequency, monetary, engagement)' },
			{ name: 'Transactions', value: 'transactions', description: 'One row per Order Completed event still within retention' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		default: 'items',
		options: [
			{ name: 'Items', value: 'items', description: 'One item per row' },
			{ name: 'CSV File', value: 'csv', description: 'One item with a CSV file in binary data (for large sets)' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Put File In Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Binary field that receives the CSV file',
		displayOptions: { show: { operation: ['export'], format: ['csv'] } },
	},
	{
		displayName: 'Since',
		name: 'exportSince',
		type: 'dateTime',
		default: '',
		description: 'Only profiles updated (or orders placed) at or after this time. Leave empty for all.',
		displayOptions: show,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['export'], returnAll: [false] } },
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show,
	},
];

/**
 * Runs once per input item, with that item's parameters (as n8n's own database nodes do for
 * "get many"; the node setting Execute Once runs it for the first item only): every row, or the
 * CSV file, is paired with the item that asked for it. A bad parameter or a store failure fails
 * that item (an error item with Continue On Fail).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			// no spread: an export can be far more rows than a call takes arguments
			for (const row of await exportFor.call(this, i, store)) out.push(row);
		} catch (error) {
			out.push(failedItem(this, error, i));
		}
	}
	return [out];
}

async function exportFor(this: IExecuteFunctions, i: number, store: ProfileStore): Promise<INodeExecutionData[]> {
	const what = this.getNodeParameter('exportWhat', i) as string;
	const format = this.getNodeParameter('format', i) as string;
	const sinceRaw: unknown = this.getNodeParameter('exportSince', i, '');
	const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	let since: Date | undefined;
	if (sinceRaw) since = new Date(dateParameterMs(this, sinceRaw, 'Since', i));
	let rows: IDataObject[];
	try {
		rows =
			what === 'transactions'
				? ((await store.exportTransactions({ since, limit })) as unknown as IDataObject[])
				: format === 'csv'
					? (await store.exportProfiles({ since, limit })).map((p) => flattenProfile(p) as IDataObject)
					: ((await store.exportProfiles({ since, limit })) as unknown as IDataObject[]);
	} catch (error) {
		throw exactError(this, `Item ${i}: exporting ${what} failed: ${(error as Error).message}`, { itemIndex: i });
	}
	const pairedItem = { item: i };
	if (format === 'csv') {
		const property = (this.getNodeParameter('binaryPropertyName', i, 'data') as string).trim() || 'data';
		// no rows: the header line alone, so a Read CSV after it still knows the columns
		const csv = toCsv(rows as Array<Record<string, unknown>>, what === 'transactions' ? TRANSACTION_CSV_COLUMNS : PROFILE_CSV_COLUMNS);
		const binary = await this.helpers.prepareBinaryData(Buffer.from(csv, 'utf8'), `${what}.csv`, 'text/csv');
		return [{ json: { rows: rows.length, export: what }, binary: { [property]: binary }, pairedItem }];
	}
	return rows.map((json) => ({ json, pairedItem }));
}
