import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DUPLICATE_IN_RUN } from '../../engines/dispatch/engine';
import type { SendStatus } from '../../engines/dispatch/types';
import { aggregateEvents, analyze, AnalyzeError, eventTime, type AttributionReport, type EngagementEvent, type Metric, type OrderAttribution, type VariantCounts } from '../../engines/experiment/analyze';

const show = { show: { operation: ['analyze'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'inputType',
		type: 'options',
		default: 'counts',
		options: [
			{ name: 'Counts per Variant', value: 'counts', description: 'One item per variant with variant, sent, opened, clicked, converted' },
			{
				name: 'Engagement Events',
				value: 'events',
				description:
					'Canonical events (Email Sent/Delivered/Opened/Link Clicked, Order Completed; Order Cancelled, or Order Refunded events returning its whole total, withdraw the order of the same order_id and store) tagged with the variant, and ESP Dispatch results (each mailed recipient is a send of its variant, each held-out one a customer of the holdout); counted per distinct recipient, and a recipient who clicked as opened too',
			},
		],
		displayOptions: show,
	},
	{
		displayName: 'Experiment ID',
		name: 'analyzeExperimentId',
		type: 'string',
		default: '',
		description: 'Only count events of this experiment (properties.experiment_id). Empty: every event, which must then all be of one experiment (events of two experiments are an error, not added up).',
		displayOptions: { show: { operation: ['analyze'], inputType: ['events'] } },
	},
	{
		displayName: 'Count Orders As Conversions',
		name: 'orderAttribution',
		type: 'options',
		default: 'attributed',
		options: [
			{
				name: 'Any Order by a Recipient Within the Attribution Window',
				value: 'window',
				description:
					'Also an Order Completed without a variant (Shopify, WooCommerce), for the recipient it belongs to (same email_id, userId, email or anonymousId; one per variant, by that order of ids) when it was placed within the window after their first send of the variant',
			},
			{ name: 'Only Orders Attributed to the Email', value: 'attributed', description: 'Only Order Completed events that carry the variant (e.g. Stripe checkout sessions with pz_variant metadata)' },
		],
		description: 'Which orders are conversions',
		displayOptions: { show: { operation: ['analyze'], inputType: ['events'] } },
	},
	{
		displayName: 'Attribution Window (Hours)',
		name: 'attributionWindowHours',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 168,
		description: 'An order counts when placed at or after the recipient\'s first send and less than this many hours later (168 = 7 days). ESP Dispatch results are timed by their sentAt, the A/B holdout by heldOutAt.',
		displayOptions: { show: { operation: ['analyze'], inputType: ['events'], orderAttribution: ['window'] } },
	},
	{
		displayName: 'Metric',
		name: 'metric',
		type: 'options',
		default: 'converted',
		options: [
			{ name: 'Conversion Rate (Converted / Sent)', value: 'converted' },
			{ name: 'Click Rate (Clicked / Sent)', value: 'clicked' },
			{ name: 'Open Rate (Opened / Sent)', value: 'opened' },
		],
		description: 'The rate the test decides on',
		displayOptions: show,
	},
	{
		displayName: 'Control Variant',
		name: 'control',
		type: 'string',
		default: 'control',
		description:
			'Variant the others are compared with (empty: the first one). "holdout" (with Exclude Variants cleared) measures what mailing adds: conversion rate under the attribution window only; a send that failed (attemptedAt) then still counts as a recipient (intention to treat).',
		displayOptions: show,
	},
	{
		displayName: 'Minimum Detectable Effect (%)',
		name: 'mdePercent',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 10,
		description: 'Smallest relative change worth detecting, e.g. 10 = a 10% better rate. Sets the sample size the test needs.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'analyzeOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Baseline Rate (%)', name: 'baselinePercent', type: 'number', typeOptions: { numberPrecision: 2 }, default: 2, description: 'The rate you planned the test for; default: the control\'s observed rate' },
			{
				displayName: 'Count Machine Opens',
				name: 'countMachineOpens',
				type: 'boolean',
				default: false,
				description:
					'Whether an Email Opened the provider flags as a machine open (SendGrid machine opens, Brevo proxy opens, Mailgun bot opens: properties.machine_open, e.g. Apple Mail Privacy Protection loading images at delivery), and an Email Link Clicked it flags as a bot\'s (Mailgun: properties.machine_click, e.g. a link scanner), count as an open and a click. Off: they count as a send only, so rates measure people.',
				displayOptions: { show: { '/inputType': ['events'] } },
			},
			{
				displayName: 'Expected Split',
				name: 'expectedSplit',
				type: 'string',
				default: '',
				placeholder: 'control:50, treatment:50',
				description:
					'The split the variants were assigned with, as in Assign: each variant\'s weight, and when the holdout is compared its Holdout % of all customers (e.g. control:50, treatment:50, holdout:10: 45%, 45% and 10%); list every variant of Assign. The recipients per variant are checked against it once every variant has recipients: a sample ratio mismatch (p below 0.001) means recipients were lost or added in one variant, and no winner is declared. Unequal groups (e.g. the holdout as control) are planned at their own sizes.',
			},
			{ displayName: 'Exclude Variants', name: 'exclude', type: 'string', default: 'holdout', description: 'Comma-separated variants left out of the comparison. Clear it to compare with the A/B holdout.' },
			{ displayName: 'Planned Recipients per Variant', name: 'planned', type: 'number', default: 10000, description: 'Sample size you committed to (for the smallest group when the Expected Split\'s groups are unequal); default: the required sample size' },
			{ displayName: 'Power', name: 'power', type: 'number', typeOptions: { minValue: 0.5, maxValue: 0.99, numberPrecision: 2 }, default: 0.8, description: 'Chance of detecting the effect if it exists' },
			{ displayName: 'Significance Level', name: 'alpha', type: 'number', typeOptions: { minValue: 0.001, maxValue: 0.2, numberPrecision: 3 }, default: 0.05, description: 'False-winner risk accepted (two-sided)' },
			{ displayName: 'Variant Field', name: 'variantField', type: 'string', default: 'variant', description: 'Field with the variant name in count items' },
		],
	},
];

function num(json: IDataObject, field: string, i: number, required: boolean): number | undefined {
	const v = json[field];
	// blank text (a spreadsheet's empty cell) is a missing count, not 0 (Number("  ") is 0)
	if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
		if (required) throw new AnalyzeError(`Item ${i}: field "${field}" is missing`);
		return undefined;
	}
	// a number, or a numeric string (CSV, spreadsheets); not true (= 1), [5] or a count past 2^53 that
	// is no longer exact
	// decimal digits only as text: Number("0x10") is 16, Number("1e3") 1000
	const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
	if (!Number.isSafeInteger(n) || n < 0) throw new AnalyzeError(`Item ${i}: field "${field}" must be a whole number >= 0`);
	return n;
}

/**
 * A variant or experiment name read from data (a count row, an event, an ESP Dispatch result):
 * text trimmed, a number as its text; undefined when empty. A spreadsheet's "control " is the
 * variant "control", as the parameters that name variants (Assign's Variants, Control Variant,
 * Exclude Variants, Expected Split) are read trimmed too.
 */
function nameOf(value: unknown): string | undefined {
	const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	return text === '' ? undefined : text;
}

/**
 * Reads one count row; throws an AnalyzeError naming the item and the field. The metric's count
 * is required and may not exceed `sent` on every row of a compared (not excluded) variant.
 */
function countRow(json: IDataObject, variantField: string, i: number, metric: Metric, exclude: ReadonlySet<string>): VariantCounts {
	const given = json[variantField];
	if (given === undefined || given === null || given === '') throw new AnalyzeError(`Item ${i}: field "${variantField}" (variant) is missing`);
	// blank text is no name; anything else that is not text or a number keeps its former reading
	const variant = typeof given === 'string' || typeof given === 'number' ? nameOf(given) : String(given);
	if (variant === undefined) throw new AnalyzeError(`Item ${i}: field "${variantField}" (variant) is missing`);
	const compared = !exclude.has(variant);
	const row: VariantCounts = {
		variant,
		sent: num(json, 'sent', i, true) as number,
		opened: num(json, 'opened', i, compared && metric === 'opened'),
		clicked: num(json, 'clicked', i, compared && metric === 'clicked'),
		converted: num(json, 'converted', i, compared && metric === 'converted'),
	};
	if (compared && (row[metric] as number) > row.sent) throw new AnalyzeError(`Item ${i}: field "${metric}" (${row[metric]}) must not be above "sent" (${row.sent})`);
	return row;
}

/**
 * A number parameter: a number, or numeric text (an expression reading a sheet or CSV gives text);
 * undefined when not set. Anything else is an error naming the parameter, never silently dropped
 * (a Planned Recipients per Variant ignored would move the peeking guard to the default plan).
 */
function numberParameter(value: unknown, label: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	if (!Number.isFinite(n)) throw new AnalyzeError(`${label} must be a number, got ${JSON.stringify(value)?.slice(0, 60)}`);
	return n;
}

/** A text parameter from an expression: a number is its text (a variant named `2`); anything else is refused naming it. */
function textParameter(value: unknown, label: string): string {
	if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
	throw new AnalyzeError(`${label} must be text, got ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`);
}

const percentOf = (x: number | undefined): number | undefined => (x === undefined ? undefined : x / 100);

/**
 * Expected Split: `name:weight` pairs separated by commas (the name may hold a colon: the last one
 * separates the weight); empty: no sample ratio check. An error names the pair it cannot read.
 */
function expectedSplit(value: unknown): Record<string, number> | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	if (typeof value !== 'string') throw new AnalyzeError(`Options → Expected Split must be text such as "control:50, treatment:50", got ${JSON.stringify(value)?.slice(0, 60)}`);
	const split: Record<string, number> = {};
	for (const pair of value.split(',')) {
		const at = pair.lastIndexOf(':');
		const name = at < 0 ? '' : pair.slice(0, at).trim();
		const weight = at < 0 ? '' : pair.slice(at + 1).trim();
		if (name === '' || weight === '' || !Number.isFinite(Number(weight))) throw new AnalyzeError(`Options → Expected Split: "${pair.trim()}" is not variant:weight (e.g. control:50, treatment:50)`);
		if (Object.hasOwn(split, name)) throw new AnalyzeError(`Options → Expected Split names variant "${name}" twice`);
		split[name] = Number(weight);
	}
	return split;
}

const excludeList = (options: IDataObject): string[] =>
	String(options.exclude ?? 'holdout')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);

/**
 * Every id an engagement event carries for its recipient: the message (`properties.email_id`)
 * and the customer (`userId`, `properties.user_id`, `email` trimmed and lower-cased, `anonymousId`). The engine joins
 * ids seen together, so an attributed order without `email_id` counts for the recipient of the
 * email (found by the same userId or address), not as an extra one.
 */
function recipientIds(json: IDataObject, props: IDataObject, str: (v: unknown) => string | undefined): string[] {
	const ids: string[] = [];
	const message = str(props.email_id);
	if (message !== undefined) ids.push(`m:${message}`);
	const user = str(json.userId);
	if (user !== undefined) ids.push(`u:${user}`);
	// the userId ESP Dispatch sent with the message (pz_user_id), which engagement events bring back
	const sentUserId = str(props.user_id);
	if (sentUserId !== undefined && sentUserId !== user) ids.push(`u:${sentUserId}`);
	const email = str(json.email)?.trim().toLowerCase();
	if (email) ids.push(`e:${email}`);
	const anonymous = str(json.anonymousId);
	if (anonymous !== undefined) ids.push(`a:${anonymous}`);
	return ids;
}

/**
 * Where an event's order id is numbered: its `context.source` and the store within it
 * (`context.store`, the WooCommerce site of X-WC-Webhook-Source; `context.shop`, the Shopify shop
 * domain of X-Shopify-Shop-Domain; none for Stripe), so that two stores' order 1001 are two
 * orders. Undefined for an item without a source (built by a workflow).
 */
function orderScope(json: IDataObject, str: (v: unknown) => string | undefined): string | undefined {
	const context = (json.context ?? {}) as IDataObject;
	const source = typeof context.source === 'string' ? context.source.trim() : '';
	if (source === '') return undefined;
	const store = str(context.store) ?? str(context.shop) ?? '';
	return `${source}\n${store.trim()}`;
}

/** An amount of money: a number, or decimal text as a database may give it (`"29.35"`); else undefined. */
function amountOf(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
	return Number(value);
}

/**
 * ESP Dispatch result statuses that mean the recipient was mailed: the provider took the message
 * (most providers answer `sent`, SendGrid and Mailgun `queued`), or a run within the duplicate
 * window already sent this very message (`duplicate`). Not a send: `suppressed` (the A/B holdout
 * among them), `failed`, `unknown`, `dryRun`, `sandbox`, and a `duplicate` of a message earlier in
 * the same run (DUPLICATE_IN_RUN): that message's own result, in the same output, says whether it
 * was sent (it may have failed or been refused).
 */
const MAILED_STATUSES: ReadonlySet<string> = new Set<SendStatus>(['sent', 'queued', 'duplicate']);

/**
 * ESP Dispatch result statuses of a send that was tried and did not (or may not) reach the
 * recipient. With `attemptedAt` (written when a request carried the message) such a result is a
 * customer of its variant by intention to treat when a holdout is compared (see aggregateEvents).
 */
const ATTEMPTED_STATUSES: ReadonlySet<string> = new Set<SendStatus>(['failed', 'unknown']);

/** A field that is set: not missing, null or empty text. */
const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/**
 * An ESP Dispatch result item (no `event`; `status`, `recipient`, `idempotencyKey`, `messageId`,
 * and the `experiment` / `variant` the message was attributed to) as an engagement event: an
 * 'Email Sent' of its variant when the recipient was mailed, else one that counts nowhere (in
 * `events_ignored`). Its ids are the message (`messageId`, the `email_id` the ESP's webhooks carry
 * back), the address and the customer's `userId` when the item had one, so the opens, clicks and
 * orders of the same recipient join it. A test-mode
 * send (`sentTo`: it went to the test address) is not a send to the recipient. A `failed` or
 * `unknown` result with `attemptedAt` is a tried send (EngagementEvent.attempted), timed by it.
 */
function dispatchResultEvent(json: IDataObject, str: (v: unknown) => string | undefined): EngagementEvent | undefined {
	if (str(json.event) !== undefined || typeof json.status !== 'string' || str(json.recipient) === undefined || str(json.idempotencyKey) === undefined) return undefined;
	const mailed = MAILED_STATUSES.has(json.status) && str(json.sentTo) === undefined && !(json.status === 'duplicate' && json.error === DUPLICATE_IN_RUN);
	const attempted = ATTEMPTED_STATUSES.has(json.status) && str(json.sentTo) === undefined && given(json.attemptedAt);
	return {
		event: mailed ? 'Email Sent' : '',
		variant: nameOf(json.variant),
		experiment: nameOf(json.experiment),
		ids: resultIds(json, str, true),
		time: attempted ? eventTime(json.attemptedAt) : (eventTime(json.sentAt) ?? eventTime(json.timestamp)),
		...(attempted ? { attempted: true } : {}),
	};
}

/** An ESP Dispatch result's recipient ids: the message (when one was sent), the address, the userId. */
function resultIds(json: IDataObject, str: (v: unknown) => string | undefined, withMessage: boolean): string[] {
	const ids: string[] = [];
	const message = withMessage ? str(json.messageId) : undefined;
	if (message !== undefined) ids.push(`m:${message}`);
	const email = str(json.recipient)?.trim().toLowerCase();
	if (email) ids.push(`e:${email}`);
	const user = str(json.userId);
	if (user !== undefined) ids.push(`u:${user}`);
	return ids;
}

const WINDOW_LABEL = 'Count Orders As Conversions = "Any Order by a Recipient Within the Attribution Window"';

/**
 * Under the attribution window every send needs its time: ESP Dispatch writes `sentAt` on every
 * mailed result (a duplicate of an earlier run: when that send was remembered); results stored by
 * an earlier version have none and may be given a `timestamp` (ISO-8601 with a zone). A mailed
 * result without either is refused rather than counted as a send with no window, which would
 * silently give its recipient no conversions.
 */
function checkDispatchTime(json: IDataObject, event: EngagementEvent, i: number, experimentId: string): void {
	// only a result that counts as a send: mailed, with a variant, of the experiment analysed
	if (event.event !== 'Email Sent' || !event.variant || (experimentId !== '' && event.experiment !== experimentId) || event.time !== undefined) return;
	const field = given(json.sentAt) ? 'sentAt' : given(json.timestamp) ? 'timestamp' : undefined;
	if (field === undefined)
		throw new AnalyzeError(
			`Item ${i}: field "sentAt" is missing: under ${WINDOW_LABEL} an ESP Dispatch result needs the time it was sent. ` +
				`ESP Dispatch writes sentAt on every mailed result; for results stored without it add a "timestamp" field (Edit Fields: timestamp = the send time as ISO-8601, e.g. {{ $now.toISO() }} right after sending), or analyze the provider's Email Sent / Email Delivered events instead`,
		);
	throw notATime(json, field, i);
}

/** The error for a time field that is set but no ISO-8601 time with a zone. */
const notATime = (json: IDataObject, field: string, i: number): AnalyzeError =>
	new AnalyzeError(`Item ${i}: field "${field}" (${JSON.stringify(json[field]).slice(0, 60)}) must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T09:30:00Z`);

/**
 * An ESP Dispatch result of a customer in the A/B holdout (status `suppressed` with `heldOutAt`,
 * written by a real run, not a dry run or test mode) as an engagement event: a customer of its
 * variant, known by the address and `userId` (not `messageId`: nothing was sent), timed by
 * `heldOutAt`. Undefined for any other item; a result of the holdout without `heldOutAt` (an
 * earlier version, a dry run or test mode) stays a result that counts nowhere, as before.
 */
function heldOutEvent(json: IDataObject, str: (v: unknown) => string | undefined): EngagementEvent | undefined {
	if (str(json.event) !== undefined || json.status !== 'suppressed' || str(json.recipient) === undefined || str(json.idempotencyKey) === undefined) return undefined;
	if (!given(json.heldOutAt)) return undefined;
	return { event: '', heldOut: true, variant: nameOf(json.variant), experiment: nameOf(json.experiment), ids: resultIds(json, str, false), time: eventTime(json.heldOutAt) };
}

/** Under the attribution window a held-out customer of the experiment analysed needs a readable `heldOutAt`. */
function checkHeldOutTime(json: IDataObject, event: EngagementEvent, i: number, experimentId: string): void {
	if (event.time !== undefined || (experimentId !== '' && event.experiment !== experimentId)) return;
	throw notATime(json, 'heldOutAt', i);
}

/** The attribution parameters, checked: an error names the field. */
function orderAttribution(this: IExecuteFunctions): OrderAttribution {
	const mode = this.getNodeParameter('orderAttribution', 0, 'attributed') as unknown;
	if (mode === 'attributed') return { mode };
	if (mode !== 'window') throw new AnalyzeError(`Count Orders As Conversions must be "attributed" or "window", got ${JSON.stringify(mode)}`);
	const hours = this.getNodeParameter('attributionWindowHours', 0, 168) as unknown;
	if (typeof hours !== 'number' || !Number.isFinite(hours) || !(hours > 0)) throw new AnalyzeError(`Attribution Window (Hours) must be a number above 0, got ${JSON.stringify(hours)}`);
	return { mode, windowHours: hours };
}

/**
 * Aggregates: all input items → one report item, paired with every input item that went into it.
 * Counts input is validated row by row: without Continue On Fail a bad row stops the node with an
 * error carrying its itemIndex; with it, the bad row yields its own `{ error }` item (paired with
 * that row) and is left out, and the remaining rows are still analysed. Events that cannot be
 * counted are skipped and reported as `events_ignored`, not errors; the one per-item failure of
 * events input is a mailed ESP Dispatch result without a time (`sentAt`, else `timestamp`) under the attribution window,
 * or a held-out one whose `heldOutAt` is no ISO-8601 time, or, with a holdout compared, a failed one
 * whose `attemptedAt` is no ISO-8601 time (handled like a bad count row). Bad attribution parameters fail the node (with Continue On
 * Fail: one error item paired with every input item).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('analyzeOptions', 0, {}) as IDataObject;
	const inputType = this.getNodeParameter('inputType', 0, 'counts') as string;
	const rowErrors: INodeExecutionData[] = [];
	// indexes of the items the report is computed from
	let used: number[] = items.map((_, i) => i);
	let counts: VariantCounts[] = [];
	let ignored = 0;
	let attribution: AttributionReport | undefined;
	let variantWarnings: Record<string, string[]> | undefined;
	let heldOut: string[] | undefined;
	// events: aggregated inside the try below (a mailed holdout is an analysis error)
	let eventInput: { events: EngagementEvent[]; experimentId: string; mode: OrderAttribution } | undefined;
	// a bad row: without Continue On Fail the node stops naming it; with it, its own error item
	const rowError = (i: number, error: unknown): void => {
		if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
		rowErrors.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
	};
	if (inputType === 'events') {
		let mode: OrderAttribution;
		try {
			mode = orderAttribution.call(this);
		} catch (error) {
			if (this.continueOnFail()) return [{ json: { error: (error as Error).message }, pairedItem: items.map((_, i) => ({ item: i })) }];
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		const experimentId = (this.getNodeParameter('analyzeExperimentId', 0, '') as string).trim();
		const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
		const events: EngagementEvent[] = [];
		const excluded = new Set(excludeList(options));
		// tried sends of a compared variant whose attemptedAt is no time: refused only if a holdout is compared
		const untimedAttempts = new Map<number, EngagementEvent>();
		used = [];
		for (let i = 0; i < items.length; i++) {
			const { json } = items[i];
			// the holdout of an excluded variant (the default) counts nowhere, as before: read as a plain result
			const found = heldOutEvent(json, str);
			const held = found && found.variant !== undefined && !excluded.has(found.variant) ? found : undefined;
			const result = held ?? dispatchResultEvent(json, str);
			if (result) {
				try {
					if (mode.mode === 'window') (held ? checkHeldOutTime : checkDispatchTime)(json, result, i, experimentId);
				} catch (error) {
					rowError(i, error);
					continue;
				}
				const compared = result.variant !== undefined && !excluded.has(result.variant) && (experimentId === '' || result.experiment === experimentId);
				if (mode.mode === 'window' && result.attempted && result.time === undefined && compared) untimedAttempts.set(i, result);
				events.push(result);
				used.push(i);
				continue;
			}
			const props = (json.properties ?? {}) as IDataObject;
			events.push({
				event: String(json.event ?? ''),
				variant: nameOf(props.variant) ?? nameOf(props.pz_variant) ?? nameOf(json.variant),
				experiment: nameOf(props.experiment_id) ?? nameOf(props.pz_experiment_id) ?? nameOf(json.experiment),
				ids: recipientIds(json, props, str),
				machineOpen: props.machine_open === true,
				machineClick: props.machine_click === true,
				time: eventTime(json.timestamp),
				// an Order Cancelled, or Order Refunded events of its whole total, withdraw the Order
				// Completed of the same id (a number or its text) from the same source and store
				orderId: str(props.order_id),
				// Stripe: the refund names the PaymentIntent when the session's metadata.order_id named the order
				paymentId: str(props.payment_intent),
				orderScope: orderScope(json, str),
				amount: amountOf(props.total),
				currency: str(props.currency),
				// Stripe: all the charge's refunds so far
				refundedSoFar: amountOf(props.amount_refunded_total),
				refundId: str(props.refund_id) ?? str(json.messageId),
			});
			used.push(i);
		}
		// intention to treat counts tried sends only with a holdout compared (see aggregateEvents):
		// then each needs its attemptedAt, as a send its sentAt
		let counted = events;
		if (untimedAttempts.size > 0 && events.some((e) => e.heldOut && (experimentId === '' || e.experiment === experimentId))) {
			for (const i of untimedAttempts.keys()) rowError(i, notATime(items[i].json, 'attemptedAt', i));
			const refused = new Set(untimedAttempts.values());
			counted = events.filter((e) => !refused.has(e));
			used = used.filter((i) => !untimedAttempts.has(i));
		}
		eventInput = { events: counted, experimentId, mode };
	} else {
		const variantField = ((options.variantField as string | undefined) ?? 'variant').trim();
		const metric = this.getNodeParameter('metric', 0, 'converted') as Metric;
		const exclude = new Set(excludeList(options));
		used = [];
		for (let i = 0; i < items.length; i++) {
			try {
				counts.push(countRow(items[i].json, variantField, i, metric, exclude));
				used.push(i);
			} catch (error) {
				rowError(i, error);
			}
		}
	}
	// the aggregate result (report or error) is paired with the rows it was computed from;
	// when every row failed, with every input item
	const pairedItem = (used.length > 0 ? used : items.map((_, i) => i)).map((i) => ({ item: i }));
	try {
		let machineOpens = 0;
		let machineClicks = 0;
		let inferredOpens = 0;
		let attemptedNotSent: Record<string, number> | undefined;
		if (eventInput) {
			const countMachineOpens = options.countMachineOpens === true || options.countMachineOpens === 'true';
			({ counts, ignored, attribution, warnings: variantWarnings, heldOut, machineOpens, machineClicks, inferredOpens, attemptedNotSent } = aggregateEvents(eventInput.events, eventInput.experimentId || undefined, eventInput.mode, { countMachineOpens }));
		}
		const metric = this.getNodeParameter('metric', 0, 'converted') as Metric;
		const report = analyze(counts, {
			metric,
			control: textParameter(this.getNodeParameter('control', 0, 'control'), 'Control Variant'),
			// emptied by an expression: no effect (the engine's error says it must be above 0)
			mde: (numberParameter(this.getNodeParameter('mdePercent', 0, 10), 'Minimum Detectable Effect (%)') ?? 0) / 100,
			alpha: numberParameter(options.alpha, 'Options → Significance Level'),
			power: numberParameter(options.power, 'Options → Power'),
			baselineRate: percentOf(numberParameter(options.baselinePercent, 'Options → Baseline Rate (%)')),
			plannedPerVariant: numberParameter(options.planned, 'Options → Planned Recipients per Variant'),
			exclude: excludeList(options),
			variantWarnings,
			heldOut,
			attemptedNotSent,
			orderAttribution: eventInput?.mode.mode,
			expectedSplit: expectedSplit(options.expectedSplit),
		});
		// the open rate's reader should know that some opens are clicks without a counted open
		if (metric === 'opened' && inferredOpens > 0)
			report.summary += ` ${inferredOpens} ${inferredOpens === 1 ? 'recipient who clicked without a counted open (images blocked, or only a machine open) is' : 'recipients who clicked without a counted open (images blocked, or only a machine open) are'} counted as opened.`;
		const eventFields = {
			events_ignored: ignored,
			...(machineOpens > 0 ? { machine_opens_not_counted: machineOpens } : {}),
			...(machineClicks > 0 ? { machine_clicks_not_counted: machineClicks } : {}),
			...(inferredOpens > 0 ? { opens_inferred_from_clicks: inferredOpens } : {}),
			attribution,
		};
		return [{ json: { ...report, ...(inputType === 'events' ? eventFields : {}) } as unknown as IDataObject, pairedItem }, ...rowErrors];
	} catch (error) {
		if (this.continueOnFail()) return [{ json: { error: (error as Error).message }, pairedItem }, ...rowErrors];
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
}
