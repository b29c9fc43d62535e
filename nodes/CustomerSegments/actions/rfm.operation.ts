import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, IPairedItemData } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';
import type { Readable } from 'node:stream';
import { DuplicateOrders, aggregateCsv, aggregateItems, customerIdOf } from '../../engines/segments/aggregate';
import { parseMoneyMinor } from '../../engines/segments/parse';
import {
	CLASSIC_SEGMENTS,
	RfmAccumulator,
	dimensionsFromAccumulator,
	ruleProblems,
	scoreRfm,
	type Breakpoint,
	type RfmDimensions,
	type RfmRule,
} from '../../engines/segments/rfm';
import { ORDER_ID_OPTION, amountCurrency, reportDuplicates, asOfMs, carriedIdentity, handleItemError, itemError, modelFailure, orderIdFields, parseJsonParameter, readField, toNumber, type AmountCurrency } from './common';

const show = { operation: ['rfm'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show },
		default: 'transactions',
		options: [
			{ name: 'Transactions (One per Item)', value: 'transactions', description: 'Each item is one order: customer, amount, date' },
			{ name: 'Transactions CSV File', value: 'csv', description: 'A CSV file in the binary data of an item, read as a stream (millions of rows)' },
			{ name: 'Customers (Already Aggregated)', value: 'customers', description: 'Each item is one customer with recency in days, frequency and monetary value' },
		],
		description: 'What the incoming items hold. All items are scored together, so the parameters are read once, from the first item.',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['csv'] } },
		default: 'data',
		description: 'Name of the binary field that holds the CSV file. Its first line must name the columns.',
	},
	{
		displayName: 'Customer ID Field',
		name: 'customerIdField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['transactions', 'csv'] } },
		default: 'customer_id',
		description: 'Field (or CSV column) that identifies the customer, e.g. email or customer_id',
	},
	{
		displayName: 'Amount Field',
		name: 'amountField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['transactions', 'csv'] } },
		default: 'amount',
		description: 'Field (or CSV column) with the order value in major units, e.g. 19.99',
	},
	{
		displayName: 'Date Field',
		name: 'timestampField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['transactions', 'csv'] } },
		default: 'timestamp',
		description: 'Field (or CSV column) with the order date: ISO 8601, YYYYMMDD (text, or a whole number such as 20240110) or epoch milliseconds (seconds when below 1e11). Dates without a time zone are read as UTC.',
	},
	{
		displayName: 'Customer ID Field',
		name: 'customerField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['customers'] } },
		default: 'customer_id',
		description: 'Field that identifies the customer (copied to the output)',
	},
	{
		displayName: 'Recency Field',
		name: 'recencyField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['customers'] } },
		default: 'recency_days',
		description: 'Field with the days since the last purchase',
	},
	{
		displayName: 'Frequency Field',
		name: 'frequencyField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['customers'] } },
		default: 'frequency',
		description: 'Field with the number of purchases',
	},
	{
		displayName: 'Monetary Field',
		name: 'monetaryField',
		type: 'string',
		displayOptions: { show: { ...show, inputMode: ['customers'] } },
		default: 'monetary',
		description: 'Field with the monetary value in major units',
	},
	{
		displayName: 'Reference Date',
		name: 'referenceDate',
		type: 'dateTime',
		displayOptions: { show: { ...show, inputMode: ['transactions', 'csv'] } },
		default: '',
		description: 'Orders up to this date count; recency is counted in whole days back from it. A date without a time means the end of that day (UTC): orders on it count, with recency 0. A date with a time or zone is that moment. Leave empty for now.',
	},
	{
		displayName: 'Score Bins',
		name: 'bins',
		type: 'number',
		typeOptions: { minValue: 3, maxValue: 10, numberPrecision: 0 },
		displayOptions: { show },
		default: 5,
		description: 'Number of quantile scores per dimension (3 to 10). 5 gives the classic 1-5 scores.',
	},
	{
		displayName: 'Monetary Value',
		name: 'monetaryMode',
		type: 'options',
		displayOptions: { show: { ...show, inputMode: ['transactions', 'csv'] } },
		default: 'sum',
		options: [
			{ name: 'Total Spent', value: 'sum' },
			{ name: 'Average Order Value', value: 'average' },
		],
		description: 'What M measures',
	},
	{
		displayName: 'Segment Map',
		name: 'segmentMap',
		type: 'options',
		displayOptions: { show },
		default: 'classic',
		options: [
			{ name: 'Classic (Champions … Lost)', value: 'classic', description: 'The 11 classic named segments' },
			{ name: 'Custom List', value: 'list', description: 'Your own ordered rules; the first match wins' },
			{ name: 'Custom JSON', value: 'json', description: 'The same rules as JSON' },
		],
		description: 'How R, F and M scores become a named segment',
	},
	{
		displayName: 'Segments',
		name: 'segmentRules',
		type: 'fixedCollection',
		placeholder: 'Add Segment',
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { ...show, segmentMap: ['list'] } },
		default: {},
		description: 'Checked from top to bottom; a customer gets the first segment whose score ranges all match, else "Others"',
		options: [
			{
				name: 'segment',
				displayName: 'Segment',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Champions' },
					{ displayName: 'R From', name: 'rMin', type: 'number', default: 1, typeOptions: { minValue: 1, maxValue: 10 } },
					{ displayName: 'R To', name: 'rMax', type: 'number', default: 5, typeOptions: { minValue: 1, maxValue: 10 } },
					{ displayName: 'F From', name: 'fMin', type: 'number', default: 1, typeOptions: { minValue: 1, maxValue: 10 } },
					{ displayName: 'F To', name: 'fMax', type: 'number', default: 5, typeOptions: { minValue: 1, maxValue: 10 } },
					{ displayName: 'M From', name: 'mMin', type: 'number', default: 1, typeOptions: { minValue: 1, maxValue: 10 } },
					{ displayName: 'M To', name: 'mMax', type: 'number', default: 5, typeOptions: { minValue: 1, maxValue: 10 } },
				],
			},
		],
	},
	{
		displayName: 'Segments (JSON)',
		name: 'segmentRulesJson',
		type: 'json',
		displayOptions: { show: { ...show, segmentMap: ['json'] } },
		default: JSON.stringify(CLASSIC_SEGMENTS.slice(0, 3), null, 2),
		description: 'Ordered list of {"name", "r": [from, to], "f": [from, to], "m": [from, to]} on the score scale; an omitted dimension matches any score',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		displayOptions: { show },
		default: 'customers',
		options: [
			{ name: 'Customers', value: 'customers', description: 'One item per customer' },
			{ name: 'Summary', value: 'summary', description: 'One item: score breakpoints, count and revenue per segment' },
			{ name: 'Customers and Summary', value: 'both', description: 'One item per customer, then the summary item' },
		],
		description: 'What to output',
	},
	{
		displayName: 'Options',
		name: 'rfmOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Previous Segment Field',
				name: 'previousSegmentField',
				type: 'string',
				default: 'previous_segment',
				description: 'Field holding the segment a customer had before (from a CRM or data table). When present, the output gets previous_segment and segment_changed.',
			},
			{
				displayName: 'Currency Field',
				name: 'currencyField',
				type: 'string',
				default: 'currency',
				description: 'Field with the ISO 4217 currency of the amount (items, not CSV). Amounts in more than one currency stop the node: they cannot be added up. One currency sets the decimal places (JPY 0, KWD 3). Empty: not checked. When not set: currency beside the amount (properties.currency for properties.total).',
			},
			{
				displayName: 'Currency Decimal Places',
				name: 'decimals',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 4, numberPrecision: 0 },
				default: 2,
				description: "Amounts are summed in integer minor units (cents for 2), so rounding never moves a customer across a score boundary. When not set: the currency's (ISO 4217), else 2.",
			},
			ORDER_ID_OPTION,
			{
				displayName: 'CSV Delimiter',
				name: 'delimiter',
				type: 'string',
				default: ',',
				description: 'Column separator of the CSV file',
			},
		],
	},
];

interface Params {
	bins: number;
	monetaryMode: 'sum' | 'average';
	rules?: RfmRule[];
	output: 'customers' | 'summary' | 'both';
	previousSegmentField: string;
	decimals: number;
	/** The one currency the items name (amountCurrency), given on the summary item. */
	currency?: string;
}

function readRules(ctx: IExecuteFunctions, bins: number): RfmRule[] | undefined {
	const map = ctx.getNodeParameter('segmentMap', 0, 'classic') as string;
	if (map === 'classic') return undefined;
	let rules: RfmRule[];
	if (map === 'list') {
		const list = (ctx.getNodeParameter('segmentRules', 0, {}) as { segment?: IDataObject[] }).segment ?? [];
		rules = list.map((s) => ({
			name: String(s.name ?? '').trim(),
			r: [Number(s.rMin), Number(s.rMax)],
			f: [Number(s.fMin), Number(s.fMax)],
			m: [Number(s.mMin), Number(s.mMax)],
		}));
	} else {
		const json = parseJsonParameter(ctx, ctx.getNodeParameter('segmentRulesJson', 0), 'Segments (JSON)');
		if (!Array.isArray(json)) throw new NodeOperationError(ctx.getNode(), 'Segments (JSON) must be a list of segment rules');
		rules = json as RfmRule[];
	}
	if (rules.length === 0) throw new NodeOperationError(ctx.getNode(), 'Add at least one segment, or choose the classic segment map');
	const problems = ruleProblems(rules, bins);
	if (problems.length) {
		throw new NodeOperationError(ctx.getNode(), problems[0], {
			description: `${problems.join('\n')}\n\nScores run from 1 to ${bins} (Score Bins).`,
		});
	}
	return rules;
}

function breakpointsOut(list: Breakpoint[], scale = 1) {
	return list.map((b) => ({
		score: b.score,
		min: b.min === null ? null : b.min / scale,
		max: b.max === null ? null : b.max / scale,
		customers: b.customers,
	}));
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const inputMode = this.getNodeParameter('inputMode', 0) as string;
	// An expression may give it as text ("5" from a sheet): numeric text is its number.
	const rawBins = this.getNodeParameter('bins', 0, 5);
	const bins = toNumber(rawBins) ?? NaN;
	if (!Number.isInteger(bins) || bins < 3 || bins > 10) {
		throw new NodeOperationError(this.getNode(), `Score Bins must be a whole number from 3 to 10 (got ${JSON.stringify(rawBins) ?? String(rawBins)})`);
	}
	const options = this.getNodeParameter('rfmOptions', 0, {}) as IDataObject;
	const params: Params = {
		bins,
		monetaryMode: inputMode === 'customers' ? 'sum' : (this.getNodeParameter('monetaryMode', 0, 'sum') as 'sum' | 'average'),
		rules: readRules(this, bins),
		output: this.getNodeParameter('output', 0, 'customers') as Params['output'],
		previousSegmentField: String(options.previousSegmentField ?? 'previous_segment').trim(),
		decimals: 2,
	};
	if (items.length === 0) return [];
	let currency: AmountCurrency;
	try {
		const amountField = ((inputMode === 'customers' ? this.getNodeParameter('monetaryField', 0, 'monetary') : this.getNodeParameter('amountField', 0, 'amount')) as string).trim();
		currency = amountCurrency(this, items, options, amountField, 'RFM');
	} catch (error) {
		return modelFailure(this, error as NodeOperationError, items.length, []);
	}
	params.decimals = currency.decimals;
	params.currency = currency.currency;
	if (inputMode === 'customers') return scoreCustomers.call(this, items, params);

	const ref = asOfMs(this, this.getNodeParameter('referenceDate', 0, ''), 'Reference Date');
	const fields = {
		customerId: (this.getNodeParameter('customerIdField', 0) as string).trim(),
		amount: (this.getNodeParameter('amountField', 0) as string).trim(),
		timestamp: (this.getNodeParameter('timestampField', 0) as string).trim(),
		previousSegment: params.previousSegmentField || undefined,
	};
	const orderId = orderIdFields(options.orderIdField, fields.amount);
	const errorItems: INodeExecutionData[] = [];
	const extra: IDataObject = {};
	let acc: RfmAccumulator;
	let pairs: (c: number) => IPairedItemData[];
	let previous: Map<number, string> = new Map();
	let identities: Map<number, Record<string, string>> = new Map();
	let duplicateWarning: string | undefined;
	if (inputMode === 'csv') {
		acc = new RfmAccumulator(ref);
		const binaryField = (this.getNodeParameter('binaryPropertyName', 0, 'data') as string).trim();
		let badRows = 0;
		const samples: string[] = [];
		let rows = 0;
		// one for all the files: two overlapping exports are two items
		const duplicates = new DuplicateOrders<string>(orderId);
		for (let i = 0; i < items.length; i++) {
			try {
				const binary = this.helpers.assertBinaryData(i, binaryField);
				const source: AsyncIterable<Uint8Array> | Uint8Array[] = binary.id
					? ((await this.helpers.getBinaryStream(binary.id, 1024 * 1024)) as Readable)
					: [Buffer.from(binary.data, BINARY_ENCODING)];
				const result = await aggregateCsv(source, acc, fields, {
					decimals: params.decimals,
					delimiter: String(options.delimiter ?? ','),
					duplicates,
					where: `item ${i}, `,
					onBadRow: this.continueOnFail()
						? (line, message) => {
								badRows++;
								if (samples.length < 10) samples.push(`item ${i}, line ${line}: ${message}`);
								return true;
							}
						: undefined,
				});
				rows += result.rows;
			} catch (error) {
				if (error instanceof NodeOperationError) handleItemError(this, error, i, errorItems);
				else handleItemError(this, itemError(this, i, (error as Error).message, `Binary field "${binaryField}"`), i, errorItems);
			}
		}
		extra.csv_rows = rows;
		duplicateWarning = reportDuplicates(this, duplicates, extra, (at) => at);
		if (badRows > 0) {
			extra.skipped_rows = badRows;
			extra.skipped_row_examples = samples;
		}
		const all = items.map((_, i) => ({ item: i }));
		pairs = () => all;
	} else {
		const agg = aggregateItems(items as Array<{ json: Record<string, unknown> }>, { ...fields, orderId }, {
			referenceMs: ref,
			decimals: params.decimals,
			stopOnError: !this.continueOnFail(),
		});
		for (const e of agg.errors) handleItemError(this, itemError(this, e.index, e.message), e.index, errorItems);
		acc = agg.acc;
		previous = agg.previousSegment;
		identities = agg.identities;
		duplicateWarning = reportDuplicates(this, agg.duplicates, extra);
		pairs = (c: number) => {
			const out: IPairedItemData[] = [];
			for (let i = agg.firstItem[c]; i >= 0; i = agg.nextItem[i]) out.push({ item: i });
			return out;
		};
	}
	if (acc.skippedFuture > 0) extra.transactions_after_reference_date = acc.skippedFuture;
	const dims = dimensionsFromAccumulator(acc, ref, params.monetaryMode);
	const out = emit.call(this, dims, params, {
		ids: acc.ids,
		first: acc.firstMs,
		last: acc.lastMs,
		pairs,
		previous,
		transactions: acc.transactions,
		referenceMs: ref,
		extra,
		warnings: duplicateWarning === undefined ? [] : [duplicateWarning],
		allItems: items.length,
		identity: (c) => carriedIdentity(identities.get(c), fields.customerId, acc.ids[c]),
	});
	for (const e of errorItems) out.push(e);
	return out;
}

function scoreCustomers(this: IExecuteFunctions, items: INodeExecutionData[], params: Params): INodeExecutionData[] {
	const idField = (this.getNodeParameter('customerField', 0) as string).trim();
	const rField = (this.getNodeParameter('recencyField', 0) as string).trim();
	const fField = (this.getNodeParameter('frequencyField', 0) as string).trim();
	const mField = (this.getNodeParameter('monetaryField', 0) as string).trim();
	const good: number[] = [];
	const errorItems: INodeExecutionData[] = [];
	const recency: number[] = [];
	const frequency: number[] = [];
	const money: number[] = [];
	const ids: string[] = [];
	const previous = new Map<number, string>();
	for (let i = 0; i < items.length; i++) {
		try {
			const json = items[i].json;
			const id = customerIdOf(readField(json, idField));
			if (id === undefined) throw itemError(this, i, `customer id field "${idField}" is missing or empty`);
			const r = toNumber(readField(json, rField));
			if (r === undefined || r < 0) throw itemError(this, i, `recency field "${rField}" must be a number of days >= 0 (got ${JSON.stringify(readField(json, rField))})`);
			const f = toNumber(readField(json, fField));
			if (f === undefined || f < 0) throw itemError(this, i, `frequency field "${fField}" must be a number >= 0 (got ${JSON.stringify(readField(json, fField))})`);
			const m = parseMoneyMinor(readField(json, mField), params.decimals);
			if (m === undefined) throw itemError(this, i, `monetary field "${mField}" is not a number (got ${JSON.stringify(readField(json, mField))})`);
			if (params.previousSegmentField) {
				const prev = readField(json, params.previousSegmentField);
				if (typeof prev === 'string' && prev.trim() !== '') previous.set(good.length, prev.trim());
			}
			good.push(i);
			ids.push(id);
			recency.push(r);
			frequency.push(f);
			money.push(m);
		} catch (error) {
			handleItemError(this, error, i, errorItems);
		}
	}
	const dims: RfmDimensions = {
		recencyDays: Float64Array.from(recency),
		frequency: Float64Array.from(frequency),
		monetaryMinor: Float64Array.from(money),
		revenueMinor: Float64Array.from(money),
	};
	const out = emit.call(this, dims, params, {
		ids,
		pairs: (c) => ({ item: good[c] }),
		previous,
		transactions: null,
		referenceMs: null,
		extra: {},
		allItems: items.length,
		carry: (c) => items[good[c]].json,
	});
	for (const e of errorItems) out.push(e);
	return out;
}

function emit(
	this: IExecuteFunctions,
	dims: RfmDimensions,
	params: Params,
	src: {
		ids: string[];
		first?: Float64Array;
		last?: Float64Array;
		pairs: (c: number) => IPairedItemData | IPairedItemData[];
		previous: Map<number, string>;
		transactions: number | null;
		referenceMs: number | null;
		extra: IDataObject;
		/** Input warnings (already shown as hints) for the summary's warnings. */
		warnings?: string[];
		allItems: number;
		carry?: (c: number) => IDataObject;
		/** Transactions modes: the customer's identities (see CARRIED_IDENTITIES), written after customer_id. */
		identity?: (c: number) => IDataObject;
	},
): INodeExecutionData[] {
	let result;
	try {
		result = scoreRfm(dims, { bins: params.bins, monetary: params.monetaryMode, rules: params.rules });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
	if (result.warnings.length) {
		this.addExecutionHints(...result.warnings.map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
	}
	const scale = 10 ** params.decimals;
	const out: INodeExecutionData[] = [];
	const n = src.ids.length;
	const sep = params.bins === 10 ? '-' : '';
	if (params.output !== 'summary') {
		for (let c = 0; c < n; c++) {
			const segment = result.segmentNames[result.segment[c]];
			const json: IDataObject = src.carry ? { ...src.carry(c) } : {};
			json.customer_id = src.ids[c];
			if (src.identity) Object.assign(json, src.identity(c));
			json.recency_days = dims.recencyDays[c];
			json.frequency = dims.frequency[c];
			json.monetary = Math.round(dims.monetaryMinor[c]) / scale;
			json.r = result.r[c];
			json.f = result.f[c];
			json.m = result.m[c];
			json.rfm = `${result.r[c]}${sep}${result.f[c]}${sep}${result.m[c]}`;
			json.segment = segment;
			if (src.first && src.last) {
				json.first_purchase_at = new Date(src.first[c]).toISOString();
				json.last_purchase_at = new Date(src.last[c]).toISOString();
			}
			const prev = src.previous.get(c);
			if (prev !== undefined) {
				json.previous_segment = prev;
				json.segment_changed = prev !== segment;
			}
			out.push({ json, pairedItem: src.pairs(c) });
		}
	}
	if (params.output !== 'customers') {
		const totalRevenue = result.segments.reduce((s, x) => s + x.revenue_minor, 0);
		// A share of a total that is not positive says nothing: with refunds above sales (total -50)
		// a segment with +100 had revenue_share -2 and one with -150 had 3.
		const shares = totalRevenue > 0;
		const warnings = [...result.warnings, ...(src.warnings ?? [])];
		if (!shares && n > 0) {
			warnings.push(
				`Total revenue is ${totalRevenue / scale}${totalRevenue < 0 ? ' (refunds exceed sales)' : ''}: revenue_share is null for every segment, as a share of a total that is not above 0 has no meaning. Net refunds into their orders, or filter them out, before RFM.`,
			);
			this.addExecutionHints({ message: warnings[warnings.length - 1], type: 'warning', location: 'outputPane' });
		}
		out.push({
			json: {
				type: 'rfmSummary',
				customers: n,
				...(src.transactions !== null ? { transactions: src.transactions } : {}),
				...(src.referenceMs !== null ? { reference_date: new Date(src.referenceMs).toISOString() } : {}),
				bins: params.bins,
				monetary: params.monetaryMode,
				...(params.currency !== undefined ? { currency: params.currency } : {}),
				breakpoints: {
					recency_days: breakpointsOut(result.breakpoints.recency_days),
					frequency: breakpointsOut(result.breakpoints.frequency),
					monetary: breakpointsOut(result.breakpoints.monetary_minor, scale),
				},
				segments: result.segments.map((s) => ({
					segment: s.segment,
					customers: s.customers,
					share: n > 0 ? s.customers / n : 0,
					revenue: s.revenue_minor / scale,
					revenue_share: shares ? s.revenue_minor / totalRevenue : null,
				})),
				warnings,
				...src.extra,
			},
			pairedItem: Array.from({ length: src.allItems }, (_, i) => ({ item: i })),
		});
	}
	return out;
}
