import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, IPairedItemData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DuplicateOrders, IdentityCollector, customerIdOf } from '../../engines/segments/aggregate';
import { BOUNDARY_FLATNESS, MAX_SERIES_TERMS, expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit, type RfCustomer } from '../../engines/segments/bgnbd';
import { UNITS_PER_MONTH, customerLifetimeValue } from '../../engines/segments/clv';
import { expectedAverageSpend, fitGammaGamma, spendHasInfiniteVariance } from '../../engines/segments/gammagamma';
import { parseMoneyMinor, parseTimeMs } from '../../engines/segments/parse';
import { DATE_HINT, TransactionSummarizer, dayNumber, type TimeUnit } from '../../engines/segments/summary';
import { ORDER_ID_OPTION, amountCurrency, reportDuplicates, asOfMs, carriedIdentity, handleItemError, itemError, modelFailure, orderIdFields, readField, toNumber, type AmountCurrency } from './common';

const show = { operation: ['lifetimeValue'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'clvInput',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show },
		default: 'transactions',
		options: [
			{ name: 'Transactions (One per Item)', value: 'transactions' },
			{ name: 'Customers (Frequency, Recency, T)', value: 'customers', description: 'Already summarised the way the lifetimes package does it' },
		],
		description: 'The model is fitted on all items together, so the parameters are read once, from the first item',
	},
	{
		displayName: 'Customer ID Field',
		name: 'clvCustomerIdField',
		type: 'string',
		displayOptions: { show },
		default: 'customer_id',
	},
	{
		displayName: 'Amount Field',
		name: 'clvAmountField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['transactions'] } },
		default: 'amount',
		description: 'Order value in major units',
	},
	{
		displayName: 'Date Field',
		name: 'clvTimestampField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['transactions'] } },
		default: 'timestamp',
		description: 'Order date (ISO 8601, YYYYMMDD or epoch ms). Orders on the same UTC day count as one transaction.',
	},
	{
		displayName: 'End of Observation',
		name: 'observationEnd',
		type: 'dateTime',
		displayOptions: { show: { ...show, clvInput: ['transactions'] } },
		default: '',
		description: 'Orders up to this date are used to fit the model; T is counted in days to it. A date without a time means the end of that day (UTC): orders on it count. A date with a time or zone is that moment: orders after it are left out. Leave empty for now.',
	},
	{
		displayName: 'Frequency Field',
		name: 'clvFrequencyField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['customers'] } },
		default: 'frequency',
		description: 'Number of REPEAT purchases (purchase days after the first)',
	},
	{
		displayName: 'Recency Field',
		name: 'clvRecencyField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['customers'] } },
		default: 'recency',
		description: 'Time from the first to the last purchase, in the time unit',
	},
	{
		displayName: 'T Field',
		name: 'clvTField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['customers'] } },
		default: 'T',
		description: 'Time from the first purchase to the end of observation, in the time unit',
	},
	{
		displayName: 'Average Spend Field',
		name: 'clvMonetaryField',
		type: 'string',
		displayOptions: { show: { ...show, clvInput: ['customers'] } },
		default: 'monetary_value',
		description: 'Average value of the repeat purchases (0 when there are none)',
	},
	{
		displayName: 'Time Unit',
		name: 'timeUnit',
		type: 'options',
		displayOptions: { show },
		default: 'weeks',
		options: [
			{ name: 'Days', value: 'days' },
			{ name: 'Weeks', value: 'weeks' },
		],
		description: 'Unit of recency, T and the forecast horizon',
	},
	{
		displayName: 'Forecast Horizon',
		name: 'horizon',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: { show },
		default: 52,
		description: 'Expected purchases are forecast over this many time units',
	},
	{
		displayName: 'CLV Months',
		name: 'clvMonths',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		displayOptions: { show },
		default: 12,
		description: 'Lifetime value horizon in months (30 days, or 4.345 weeks, each)',
	},
	{
		displayName: 'Monthly Discount Rate',
		name: 'discountRate',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 4 },
		displayOptions: { show },
		default: 0.01,
		description: 'Month i is discounted by (1 + rate)^i. 0.01 ≈ 12.7% a year.',
	},
	{
		displayName: 'Output',
		name: 'clvOutput',
		type: 'options',
		displayOptions: { show },
		default: 'customers',
		options: [
			{ name: 'Customers', value: 'customers' },
			{ name: 'Model', value: 'model', description: 'One item with the fitted parameters' },
			{ name: 'Customers and Model', value: 'both' },
		],
	},
	{
		displayName: 'Options',
		name: 'clvOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Currency Field',
				name: 'currencyField',
				type: 'string',
				default: 'currency',
				description: 'Field with the ISO 4217 currency of the amount. Amounts in more than one currency stop the node: they cannot be added up. One currency sets the decimal places (JPY 0, KWD 3). Empty: not checked. When not set: currency beside the amount (properties.currency for properties.total).',
			},
			{
				displayName: 'Currency Decimal Places',
				name: 'decimals',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 4, numberPrecision: 0 },
				default: 2,
				description: "Amounts are read and summed in integer minor units at this scale. When not set: the currency's (ISO 4217), else 2.",
			},
			ORDER_ID_OPTION,
		],
	},
];

/**
 * A number parameter >= 0 (whole when `whole`). An expression may give it as text (`{{ $json.horizon }}`
 * from a sheet): numeric text is read as its number. Anything else is refused naming the parameter:
 * text reached the arithmetic as text ("52" made α + T + "52" a string) and a negative discount rate
 * gave an infinite CLV.
 */
function numberParameter(ctx: IExecuteFunctions, name: string, label: string, fallback: number, whole = false): number {
	const raw = ctx.getNodeParameter(name, 0, fallback);
	const value = toNumber(raw);
	if (value === undefined || value < 0 || (whole && !Number.isInteger(value))) {
		throw new NodeOperationError(ctx.getNode(), `${label} must be ${whole ? 'a whole number' : 'a number'} >= 0 (got ${JSON.stringify(raw) ?? String(raw)})`);
	}
	return value;
}

interface Row extends RfCustomer {
	id: string;
	monetary: number;
	pairs: IPairedItemData[];
	/** Written after customer_id (carriedIdentity), as RFM does. */
	identity: IDataObject;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const input = this.getNodeParameter('clvInput', 0) as string;
	const unit = this.getNodeParameter('timeUnit', 0, 'weeks') as TimeUnit;
	const horizon = numberParameter(this, 'horizon', 'Forecast Horizon', 52);
	const months = numberParameter(this, 'clvMonths', 'CLV Months', 12, true);
	const discount = numberParameter(this, 'discountRate', 'Monthly Discount Rate', 0.01);
	const output = this.getNodeParameter('clvOutput', 0, 'customers') as string;
	const idField = (this.getNodeParameter('clvCustomerIdField', 0) as string).trim();
	const errors: INodeExecutionData[] = [];
	const rows: Row[] = [];
	/** One item per customer all of whose orders fall after the End of Observation (transactions input). */
	const skipped: INodeExecutionData[] = [];
	/** Transactions input: the warning about orders that arrived twice (DuplicateOrders). */
	let duplicateWarning: string | undefined;
	/** For the model item: duplicate_orders_dropped. */
	const duplicateCount: IDataObject = {};
	if (items.length === 0) return [];
	const options = this.getNodeParameter('clvOptions', 0, {}) as IDataObject;
	let money: AmountCurrency;
	try {
		const amountField = ((input === 'transactions' ? this.getNodeParameter('clvAmountField', 0, 'amount') : this.getNodeParameter('clvMonetaryField', 0, 'monetary_value')) as string).trim();
		money = amountCurrency(this, items, options, amountField, 'Lifetime Value');
	} catch (error) {
		return modelFailure(this, error as NodeOperationError, items.length, []);
	}
	const { decimals } = money;
	if (input === 'transactions') {
		const amountField = (this.getNodeParameter('clvAmountField', 0) as string).trim();
		const timeField = (this.getNodeParameter('clvTimestampField', 0) as string).trim();
		const endMs = asOfMs(this, this.getNodeParameter('observationEnd', 0, ''), 'End of Observation');
		const endDay = dayNumber(endMs);
		const summarizer = new TransactionSummarizer();
		const identities = new IdentityCollector<string>();
		const pairs = new Map<string, IPairedItemData[]>();
		const duplicates = new DuplicateOrders(orderIdFields(options.orderIdField, amountField));
		for (let i = 0; i < items.length; i++) {
			try {
				const json = items[i].json;
				const id = customerIdOf(readField(json, idField));
				if (id === undefined) throw itemError(this, i, `customer id field "${idField}" is missing or empty`);
				const amount = parseMoneyMinor(readField(json, amountField), decimals);
				if (amount === undefined) throw itemError(this, i, `amount field "${amountField}" is not a number (got ${JSON.stringify(readField(json, amountField)) ?? 'nothing'})`);
				const ms = parseTimeMs(readField(json, timeField));
				if (ms === undefined) throw itemError(this, i, `date field "${timeField}" is not a date (got ${JSON.stringify(readField(json, timeField)) ?? 'nothing'}): ${DATE_HINT}`);
				let list = pairs.get(id);
				if (!list) pairs.set(id, (list = []));
				list.push({ item: i });
				if (ms > endMs) continue; // after the End of Observation: left out
				if (duplicates.check(i, id, json, amount) !== undefined) continue; // an order already counted (paired with its customer)
				summarizer.add(id, dayNumber(ms), amount);
				identities.add(id, json, ms);
			} catch (error) {
				handleItemError(this, error, i, errors);
			}
		}
		for (const s of summarizer.summarize(endDay, unit, 10 ** decimals)) {
			const list = pairs.get(s.customerId) ?? [];
			pairs.delete(s.customerId);
			if (s.frequency > 0 && !(s.monetary > 0)) {
				// Gamma-Gamma needs a positive average spend; refunds or free orders can make it <= 0.
				const at = list.map((p) => p.item).join(', ');
				const message = `Customer "${s.customerId}" (items ${at}): amount field "${amountField}" averages ${s.monetary} over its repeat purchases; Gamma-Gamma needs an average > 0`;
				if (!this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), message, {
						itemIndex: list[0]?.item,
						description: 'Refunds or free orders on later days can make the average of the repeat purchases 0 or negative. Leave them out, or net them against their orders on the same day.',
					});
				}
				errors.push({ json: { error: message }, pairedItem: list });
				continue;
			}
			const identity = carriedIdentity(identities.get(s.customerId), idField, s.customerId);
			rows.push({ id: s.customerId, frequency: s.frequency, recency: s.recency, T: s.T, monetary: s.monetary, pairs: list, identity });
		}
		duplicateWarning = reportDuplicates(this, duplicates, duplicateCount);
		// Left in `pairs`: customers all of whose orders fall after the End of Observation.
		for (const [id, list] of pairs) skipped.push({ json: { customer_id: id, skipped: true, reason: 'all orders after End of Observation' }, pairedItem: list });
	} else {
		const fields = {
			frequency: (this.getNodeParameter('clvFrequencyField', 0) as string).trim(),
			recency: (this.getNodeParameter('clvRecencyField', 0) as string).trim(),
			T: (this.getNodeParameter('clvTField', 0) as string).trim(),
			monetary: (this.getNodeParameter('clvMonetaryField', 0) as string).trim(),
		};
		for (let i = 0; i < items.length; i++) {
			try {
				const json = items[i].json;
				const id = customerIdOf(readField(json, idField));
				if (id === undefined) throw itemError(this, i, `customer id field "${idField}" is missing or empty`);
				const values: Record<string, number> = {};
				for (const [key, field] of Object.entries(fields)) {
					const v = toNumber(readField(json, field));
					if (v === undefined) throw itemError(this, i, `${key} field "${field}" is not a number (got ${JSON.stringify(readField(json, field)) ?? 'nothing'})`);
					values[key] = v;
				}
				const own = new IdentityCollector<number>();
				own.add(i, json, 0);
				const identity = carriedIdentity(own.get(i), idField, id);
				const row: Row = { id, frequency: values.frequency, recency: values.recency, T: values.T, monetary: values.monetary, pairs: [{ item: i }], identity };
				const { frequency: x, recency: tx, T } = row;
				if (!Number.isInteger(x) || x < 0) throw itemError(this, i, `frequency must be a whole number >= 0 (got ${x})`);
				if (tx < 0 || T < 0 || tx > T) throw itemError(this, i, `recency (${tx}) and T (${T}) must satisfy 0 <= recency <= T`);
				if (x === 0 && tx !== 0) throw itemError(this, i, `recency must be 0 for a customer without repeat purchases (got ${tx})`);
				if (x > 0 && !(row.monetary > 0)) {
					throw itemError(this, i, `monetary field "${fields.monetary}" must be > 0 for a customer with repeat purchases (got ${row.monetary})`);
				}
				rows.push(row);
			} catch (error) {
				handleItemError(this, error, i, errors);
			}
		}
	}
	// Customers first seen on the last day (T = 0) carry no information for the fit.
	const fitRows = rows.filter((r) => r.T > 0);
	let bg;
	let gg;
	try {
		bg = fitBgNbd(fitRows);
	} catch (error) {
		// The engine's messages name the model already ("BG/NBD cannot be fitted: …").
		const text = (error as Error).message;
		const message =
			fitRows.length === 0 && rows.length > 0
				? `BG/NBD needs at least one customer first seen before the End of Observation: all ${rows.length} customers were first seen on its last day (T = 0)`
				: text.startsWith('BG/NBD') ? text : `BG/NBD: ${text}`;
		const failure = new NodeOperationError(this.getNode(), message, {
			description: `${fitRows.length} customers with history before the end of observation. The model needs customers with repeat purchases (purchases on at least two different days).`,
		});
		return modelFailure(this, failure, items.length, errors);
	}
	try {
		gg = fitGammaGamma(fitRows.filter((r) => r.frequency > 0));
	} catch (error) {
		return modelFailure(this, new NodeOperationError(this.getNode(), (error as Error).message.startsWith('Gamma-Gamma') ? (error as Error).message : `Gamma-Gamma: ${(error as Error).message}`), items.length, errors);
	}
	const out: INodeExecutionData[] = [];
	// Gamma-Gamma q <= 1: the fitted spend has no finite mean, so customers without (enough) repeat
	// purchases get no expected spend and no CLV (null), each with a warning saying why.
	const spends = rows.map((r) => expectedAverageSpend(gg.params, r));
	const noSpend = spends.filter((spend) => spend === null).length;
	const spendWarning =
		noSpend > 0
			? `Gamma-Gamma fit gave q = ${gg.params.q.toFixed(3)} (<= 1): the fitted spend per order has no finite mean, so expected_average_spend and clv are null for ${noSpend} of ${rows.length} customers (those without enough repeat purchases to pull their own mean in). A few very large orders cause this: leave out or cap outlier orders, or use a longer observation window.`
			: undefined;
	// The customers whose expected spend exists but has infinite variance (1 < p·x + q <= 2): with
	// 1 < q <= 2 every one-time buyer, and repeat buyers whose p·x is small; with q <= 1 (one-time
	// buyers get null) those repeat buyers alone. Each says so on its own item.
	const { p, q, gamma } = gg.params;
	const unstable = rows.map((r) => spendHasInfiniteVariance(gg.params, r));
	const unstableCount = unstable.filter(Boolean).length;
	const unstableWarning =
		unstableCount === 0
			? undefined
			: q > 1
				? `Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 2): the fitted spend per order has infinite variance, so expected_average_spend and clv are unstable for ${unstableCount} of ${rows.length} customers (those without enough repeat purchases to pull their own mean in, p·x + q <= 2; without any they get the population mean p·γ/(q − 1) = ${((p * gamma) / (q - 1)).toFixed(2)}): a few large orders move them a lot. Check them against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`
				: `Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 1): the fitted spend per order has infinite variance, so expected_average_spend and clv are unstable for ${unstableCount} of ${rows.length} customers (repeat buyers with too few repeat purchases to pull their own mean in, 1 < p·x + q <= 2): a few large orders move them a lot. Check them against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`;
	const boundaryWarning = bg.boundary.length > 0 ? bgnbdBoundaryWarning(bg, unit) : undefined;
	if (boundaryWarning) this.addExecutionHints({ message: boundaryWarning, type: 'warning', location: 'outputPane' });
	// A fit that stopped without converging (or, Gamma-Gamma, at a boundary) said only converged: false.
	const fitWarnings: string[] = [];
	if (!bg.converged && bg.boundary.length === 0) fitWarnings.push(notConvergedWarning('BG/NBD', 'p_alive, expected_purchases and clv'));
	if (gg.boundary.length > 0) fitWarnings.push(gammaGammaBoundaryWarning(gg.params, gg.boundary));
	else if (!gg.converged) fitWarnings.push(notConvergedWarning('Gamma-Gamma', 'expected_average_spend and clv'));
	for (const message of fitWarnings) this.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
	let notComputed = 0;
	if (output !== 'model') {
		rows.forEach((r, k) => {
			const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;
			const spend = spends[k];
			const json: IDataObject = {
				customer_id: r.id,
				...r.identity,
				frequency: r.frequency,
				recency: round(r.recency),
				T: round(r.T),
				monetary_value: round(r.monetary, decimals),
				time_unit: unit,
				p_alive: probabilityAlive(bg.params, r),
				expected_purchases: expectedPurchases(bg.params, r, horizon),
				horizon,
				expected_average_spend: spend,
				clv: customerLifetimeValue(bg.params, gg.params, r, { months, monthlyDiscountRate: discount, unit }),
			};
			const warnings = spend === null ? [spendWarning] : unstable[k] ? [unstableWarning] : [];
			// Never NaN or infinite: a value that cannot be computed is null, and the item says why.
			const missing = (['p_alive', 'expected_purchases', 'clv'] as const).filter((key) => {
				const v = json[key];
				if (v === null && key === 'clv' && spend === null) return false; // said by the spend warning
				if (v !== null && Number.isFinite(v)) return false;
				json[key] = null;
				return true;
			});
			if (missing.length > 0) {
				notComputed++;
				warnings.push(
					`${missing.join(' and ')} could not be computed for customer "${r.id}": its forecast reaches ${round(Math.max(horizon, months * UNITS_PER_MONTH[unit]) / (bg.params.alpha + r.T), 1)} times α + T (fitted α = ${round(bg.params.alpha)}, T = ${round(r.T)}), more than the ${MAX_SERIES_TERMS} terms the BG/NBD expectation may sum. Shorten Forecast Horizon or CLV Months.`,
				);
			}
			if (warnings.length > 0) json.warning = warnings.join(' ');
			out.push({ json, pairedItem: r.pairs });
		});
	}
	if (output !== 'model') out.push(...skipped);
	if (output !== 'customers') {
		const warnings = spendWarning
			? unstableWarning
				? [spendWarning, unstableWarning]
				: [spendWarning]
			: ((unstableSpendWarning(gg.params).warnings as string[] | undefined) ?? []);
		if (boundaryWarning) warnings.push(boundaryWarning);
		if (notComputed > 0) warnings.push(`expected_purchases or clv could not be computed for ${notComputed} of ${rows.length} customers: null, each with a warning naming it.`);
		warnings.push(...fitWarnings);
		if (duplicateWarning !== undefined) warnings.push(duplicateWarning);
		out.push({
			json: {
				type: 'clvModel',
				time_unit: unit,
				...(money.currency !== undefined ? { currency: money.currency } : {}),
				bgnbd: {
					...bg.params,
					logLikelihood: bg.logLikelihood,
					customers: bg.customers,
					converged: bg.converged,
					...(bg.boundary.length > 0 ? { boundary: bg.boundary } : {}),
				},
				gammaGamma: {
					...gg.params,
					logLikelihood: gg.logLikelihood,
					customers: gg.customers,
					converged: gg.converged,
					...(gg.boundary.length > 0 ? { boundary: gg.boundary } : {}),
				},
				customers: rows.length,
				excluded_from_fit_first_seen_on_last_day: rows.length - fitRows.length,
				...(warnings.length > 0 ? { warnings } : {}),
				...(skipped.length > 0 ? { skipped_all_orders_after_end_of_observation: skipped.length } : {}),
				...duplicateCount,
			} as IDataObject,
			pairedItem: items.map((_, i) => ({ item: i })),
		});
	}
	return [...out, ...errors];
}

/**
 * The BG/NBD fit ran to a boundary (BgNbdFit.boundary): the MLE is a limit, not a point, so the
 * parameters along that direction are arbitrary and the model degenerates. Names the limit model
 * the predictions then follow.
 */
function bgnbdBoundaryWarning(bg: BgNbdFit, unit: TimeUnit): string {
	const { r, alpha, a, b } = bg.params;
	const limits: string[] = [];
	if (bg.boundary.includes('a, b → ∞')) limits.push(`every customer has the same dropout probability a/(a+b) = ${(a / (a + b)).toPrecision(4)} after each purchase`);
	if (bg.boundary.includes('r, α → ∞')) limits.push(`every customer has the same purchase rate r/α = ${(r / alpha).toPrecision(4)} per ${unit === 'weeks' ? 'week' : 'day'}`);
	const show = (v: number) => (v >= 1e4 || v < 1e-3 ? v.toExponential(3) : v.toPrecision(4));
	return (
		`BG/NBD fit ran to a boundary of its parameters (r = ${show(r)}, α = ${show(alpha)}, a = ${show(a)}, b = ${show(b)}; toward ${bg.boundary.join(', ')}): ` +
		`moving them 10-fold further changes the log-likelihood by less than ${BOUNDARY_FLATNESS}, so the data do not determine them and the fitted model degenerates` +
		(limits.length > 0 ? ` (${limits.join('; ')})` : '') +
		'. expected_purchases and clv follow that limit; p_alive, expected_purchases and clv can be far off. Usual with few customers or a short history: use more customers or a longer observation window, and check the predictions against later orders.'
	);
}

/** The optimizer stopped (evaluation limit) before its tolerance was met, not at a boundary. */
function notConvergedWarning(model: string, outputs: string): string {
	return `${model} fit did not converge (the optimizer stopped before the log-likelihood settled): its parameters, and the ${outputs} computed from them, may be off. Check the predictions against later orders; more customers or a longer observation window usually help.`;
}

/**
 * The Gamma-Gamma fit ran to a boundary (GammaGammaFit.boundary): the spend data have no spread
 * along that direction, so the parameters along it are arbitrary and expected_average_spend
 * follows the limit model.
 */
function gammaGammaBoundaryWarning(params: { p: number; q: number; gamma: number }, boundary: string[]): string {
	const { p, q, gamma } = params;
	const show = (v: number) => (v >= 1e4 || v < 1e-3 ? v.toExponential(3) : v.toPrecision(4));
	const limits: string[] = [];
	if (boundary.includes('p → ∞')) limits.push("no spread of order values within a customer: a repeat buyer's expected_average_spend tends to its own average");
	if (boundary.includes('p, q → ∞')) limits.push("every repeat buyer's average is the same amount: expected_average_spend tends to it for every customer");
	if (boundary.includes('q, γ → ∞')) limits.push('no spread between customers: every expected_average_spend tends to the population mean');
	return (
		`Gamma-Gamma fit ran to a boundary of its parameters (p = ${show(p)}, q = ${show(q)}, γ = ${show(gamma)}; toward ${boundary.join(', ')}): ` +
		`moving them 10-fold further changes the log-likelihood by less than ${BOUNDARY_FLATNESS}, so the data do not determine them` +
		(limits.length > 0 ? ` (${limits.join('; ')})` : '') +
		'. Usual when most orders have the same value (one price, a subscription) or with few repeat buyers: expected_average_spend and clv follow that limit; check them against the observed average order value.'
	);
}

/**
 * 1 < q <= 2: the population mean spend pγ/(q - 1) exists but the fitted spend per order has
 * infinite variance (1/ν, ν ~ Gamma(q, γ), has a finite variance only for q > 2), and the mean
 * grows without bound as q nears 1: one-time buyers' expected spend and CLV rest on it. Said on
 * the model item (and, with the count, on each customer item it concerns); the numbers are still given.
 */
function unstableSpendWarning(params: { p: number; q: number; gamma: number }): IDataObject {
	const { p, q, gamma } = params;
	if (!(q > 1 && q <= 2)) return {};
	const mean = (p * gamma) / (q - 1);
	return {
		warnings: [
			`Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 2): the fitted spend per order has infinite variance, so the population mean spend p·γ/(q − 1) = ${mean.toFixed(2)} that customers without repeat purchases get (expected_average_spend, clv) is unstable: a few large orders move it a lot. Check it against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`,
		],
	};
}
