import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { flattenProfile, toCsv, type ProfileStore } from '../../engines/profile';

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

/** Runs once per execution (parameters of the first item): every output row is paired with item 0. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const what = this.getNodeParameter('exportWhat', 0) as string;
	const format = this.getNodeParameter('format', 0) as string;
	const sinceRaw = this.getNodeParameter('exportSince', 0, '') as string;
	const returnAll = this.getNodeParameter('returnAll', 0, true) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', 0, 50) as number);
	let since: Date | undefined;
	if (sinceRaw) {
		since = new Date(sinceRaw);
		if (!Number.isFinite(since.getTime())) throw new NodeOperationError(this.getNode(), `"Since" (${sinceRaw}) is not a valid date`, { itemIndex: 0 });
	}
	const rows: IDataObject[] =
		what === 'transactions'
			? ((await store.exportTransactions({ since, limit })) as unknown as IDataObject[])
			: format === 'csv'
				? (await store.exportProfiles({ since, limit })).map((p) => flattenProfile(p) as IDataObject)
				: ((await store.exportProfiles({ since, limit })) as unknown as IDataObject[]);
	const paired = items.length ? { item: 0 } : undefined;
	if (format === 'csv') {
		const property = (this.getNodeParameter('binaryPropertyName', 0, 'data') as string).trim() || 'data';
		const csv = toCsv(rows as Array<Record<string, unknown>>);
		const binary = await this.helpers.prepareBinaryData(Buffer.from(csv, 'utf8'), `${what}.csv`, 'text/csv');
		return [[{ json: { rows: rows.length, export: what }, binary: { [property]: binary }, pairedItem: paired ?? { item: 0 } }]];
	}
	return [rows.map((json) => ({ json, pairedItem: paired ?? { item: 0 } }))];
}
