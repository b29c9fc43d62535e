import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { PRESETS, duplicateSegmentName, evaluateSegments, fieldsOnlyInProfile, prepareEvents, segmentRuleProblems, storedProfile, type Condition, type SegmentRule } from '../../engines/segments/rules';
import { handleItemError, itemError, parseJsonParameter, readField, referenceMs } from './common';

const show = { operation: ['rules'] };

const EXAMPLE: SegmentRule[] = [
	{
		name: 'Lapsed VIPs',
		match: 'all',
		conditions: [
			{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 5 },
			{ type: 'event', event: 'Order Completed', operator: 'atMost', count: 0, withinHours: 24 * 90 },
			{
				type: 'group',
				match: 'any',
				conditions: [
					{ type: 'trait', field: 'engagement.opened_30d', operator: 'greaterThan', value: 0 },
					{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 1, withinHours: 24 * 30 },
				],
			},
		],
	},
];

export const description: INodeProperties[] = [
	{
		displayName: 'Built-In Segments',
		name: 'presets',
		type: 'multiOptions',
		displayOptions: { show },
		default: ['cartAbandoners', 'activeBuyers', 'engagedBrowsers'],
		options: [
			{ name: 'Cart Abandoners (24 h)', value: 'cartAbandoners', description: 'Checkout Started in the last 24 hours and no Order Completed after it' },
			{ name: 'Active Buyers (7 Days)', value: 'activeBuyers', description: 'At least one Order Completed in the last 7 days' },
			{ name: 'Engaged Browsers (14 Days)', value: 'engagedBrowsers', description: '3 or more Product Viewed in the last 14 days and no Order Completed' },
		],
		description: 'Ready-made segments, checked before your own',
	},
	{
		displayName: 'Define Own Segments',
		name: 'definition',
		type: 'options',
		displayOptions: { show },
		default: 'none',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'In the Editor', value: 'ui' },
			{ name: 'As JSON', value: 'json', description: 'Allows nested AND/OR groups' },
		],
	},
	{
		displayName: 'Segments',
		name: 'segments',
		type: 'fixedCollection',
		placeholder: 'Add Segment',
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { ...show, definition: ['ui'] } },
		default: {},
		options: [
			{
				name: 'segment',
				displayName: 'Segment',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Lapsed VIPs' },
					{
						displayName: 'Match',
						name: 'match',
						type: 'options',
						default: 'all',
						options: [
							{ name: 'All Conditions (AND)', value: 'all' },
							{ name: 'Any Condition (OR)', value: 'any' },
						],
					},
					{
						displayName: 'Conditions',
						name: 'conditions',
						type: 'fixedCollection',
						placeholder: 'Add Condition',
						typeOptions: { multipleValues: true },
						default: {},
						options: [
							{
								name: 'condition',
								displayName: 'Condition',
								values: [
									{
										displayName: 'Type',
										name: 'type',
										type: 'options',
										default: 'event',
										options: [
											{ name: 'Performed Event', value: 'event', description: 'At least / at most N times within a window' },
											{ name: 'Did Not Follow Up', value: 'notAfter', description: 'Performed an event and not another one after it' },
											{ name: 'Profile Field', value: 'trait', description: 'Compare a profile field or trait' },
										],
									},
									{ displayName: 'Event', name: 'event', type: 'string', default: 'Order Completed', description: 'Canonical event name, e.g. Product Viewed' },
									{
										displayName: 'Operator',
										name: 'operator',
										type: 'options',
										default: 'atLeast',
										options: [
											{ name: 'At Least', value: 'atLeast' },
											{ name: 'At Most', value: 'atMost' },
										],
										description: 'For Performed Event',
									},
									{ displayName: 'Times', name: 'count', type: 'number', default: 1, typeOptions: { minValue: 0 }, description: 'For Performed Event' },
									{ displayName: 'Then Event', name: 'thenEvent', type: 'string', default: 'Order Completed', description: 'For Did Not Follow Up: the event that did NOT happen after Event; must differ from Event (e.g. Event "Checkout Started", Then Event "Order Completed")' },
									{ displayName: 'Within Last (Hours)', name: 'withinHours', type: 'number', default: 24, typeOptions: { minValue: 0 }, description: 'Window for events; 0 = all time' },
									{ displayName: 'Field', name: 'field', type: 'string', default: '', placeholder: 'e.g. traits.plan or ordersCount', description: 'For Profile Field: dot path in the profile' },
									{
										displayName: 'Comparison',
										name: 'traitOperator',
										type: 'options',
										default: 'equals',
										options: [
											{ name: 'Contains', value: 'contains' },
											{ name: 'Equals', value: 'equals' },
											{ name: 'Exists', value: 'exists' },
											{ name: 'Greater Than', value: 'greaterThan' },
											{ name: 'Less Than', value: 'lessThan' },
											{ name: 'Not Equals', value: 'notEquals' },
											{ name: 'Not Exists', value: 'notExists' },
										],
										description: 'For Profile Field',
									},
									{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'For Profile Field: numbers and dates compare as such, text case-insensitively' },
								],
							},
						],
					},
				],
			},
		],
	},
	{
		displayName: 'Segments (JSON)',
		name: 'segmentsJson',
		type: 'json',
		displayOptions: { show: { ...show, definition: ['json'] } },
		default: JSON.stringify(EXAMPLE, null, 2),
		description: 'List of {"name", "match": "all"|"any", "conditions": [...]}; conditions: event, notAfter, trait, or group (nested AND/OR). See the README.',
	},
	{
		displayName: 'Events Field',
		name: 'eventsField',
		type: 'string',
		displayOptions: { show },
		default: 'events',
		description:
			"Field holding the customer's canonical events (a list with event and timestamp). When the item has no such field but a customer profile (Customer Profile → Get Profile's \"profile\"), the segments (built-in and your own) are decided from the profile: orders, product views and the open cart; those it cannot decide are listed in \"undecided_segments\". Otherwise a missing field means no events.",
	},
	{
		displayName: 'Profile Field',
		name: 'profileField',
		type: 'string',
		displayOptions: { show },
		default: '',
		description:
			'Field holding the customer profile for Profile Field conditions, e.g. "profile" after Customer Profile → Get Profile (null there, a customer not found, counts as a profile without fields). Leave empty to use the whole item.',
	},
	{
		displayName: 'Reference Date',
		name: 'rulesReferenceDate',
		type: 'dateTime',
		displayOptions: { show },
		default: '',
		description: 'Windows are counted back from this moment. Leave empty for now.',
	},
];

/**
 * A number field of the editor as a number; empty (an expression that gives '' or nothing) is
 * NaN, which the rule check refuses naming the field: Number('') is 0, which made Times "at least
 * 0" (every customer) and Within Last "all time" without a word.
 */
function uiNumber(value: unknown): number {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return Number.NaN;
	return Number(value);
}

function fromUi(list: IDataObject[]): unknown[] {
	return list.map((s) => ({
		name: String(s.name ?? '').trim(),
		match: s.match ?? 'all',
		conditions: (((s.conditions as IDataObject | undefined)?.condition as IDataObject[] | undefined) ?? []).map((c): Condition | IDataObject => {
			if (c.type === 'event') return { type: 'event', event: c.event as string, operator: c.operator as 'atLeast', count: uiNumber(c.count), withinHours: uiNumber(c.withinHours) };
			if (c.type === 'notAfter') return { type: 'notAfter', event: c.event as string, thenEvent: c.thenEvent as string, withinHours: uiNumber(c.withinHours) };
			return { type: 'trait', field: String(c.field ?? '').trim(), operator: c.traitOperator as 'equals', value: c.value };
		}),
	}));
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	// Get Profile's output read with an empty Profile Field: the fields only its `profile` has, and on how many items
	const onlyInProfile = new Set<string>();
	let itemsOnlyInProfile = 0;
	for (let i = 0; i < items.length; i++) {
		try {
			const rules: SegmentRule[] = [];
			// where each segment comes from, for messages: the built-in "Active Buyers", segments[0]
			const where: string[] = [];
			for (const p of this.getNodeParameter('presets', i, []) as string[]) {
				if (!Object.hasOwn(PRESETS, p)) throw itemError(this, i, `Unknown built-in segment "${p}"`);
				rules.push(PRESETS[p]);
				where.push(`the built-in segment "${PRESETS[p].name}"`);
			}
			const definition = this.getNodeParameter('definition', i, 'none') as string;
			let own: unknown[] = [];
			if (definition === 'ui') own = fromUi(((this.getNodeParameter('segments', i, {}) as IDataObject).segment as IDataObject[] | undefined) ?? []);
			if (definition === 'json') {
				const parsed = parseJsonParameter(this, this.getNodeParameter('segmentsJson', i), 'Segments (JSON)', i);
				own = Array.isArray(parsed) ? parsed : [parsed];
			}
			own.forEach((rule, k) => {
				const problems = segmentRuleProblems(rule, `segments[${k}]`);
				if (problems.length) {
					const name = (rule as { name?: unknown } | null)?.name;
					const named = typeof name === 'string' && name.trim() !== '' ? ` ${JSON.stringify(name)}` : '';
					throw itemError(this, i, `Segment definition${named}: ${problems[0]}`, problems.join('\n'));
				}
				rules.push(rule as SegmentRule);
				where.push(`segments[${k}]`);
			});
			if (rules.length === 0) throw itemError(this, i, 'No segments: pick a built-in segment or define your own');
			// a second segment of the same name doubled it in `segments`, or hid one behind the other
			const twice = duplicateSegmentName(rules.map((r) => r.name));
			if (twice) {
				const [a, b] = twice;
				throw itemError(this, i, `Segment definition: two segments are named ${JSON.stringify(rules[b].name.trim())} (${where[a]} and ${where[b]}): give each segment its own name`);
			}
			const json = items[i].json;
			const eventsField = (this.getNodeParameter('eventsField', i, 'events') as string).trim();
			const profileField = (this.getNodeParameter('profileField', i, '') as string).trim();
			const rawEvents = eventsField ? readField(json, eventsField) : undefined;
			if (rawEvents !== undefined && rawEvents !== null && !Array.isArray(rawEvents)) {
				throw itemError(this, i, `field "${eventsField}" must be a list of events`);
			}
			let events;
			try {
				events = prepareEvents((rawEvents as unknown[] | null) ?? []);
			} catch (error) {
				throw itemError(this, i, `${eventsField}: ${(error as Error).message}`);
			}
			let profile = profileField ? readField(json, profileField) : json;
			// A customer Get Profile did not find (`profile: null, profileFound: false`) has no stored
			// profile: no profile fields, and the built-in segments come from its events (none: no).
			if (profileField && (profile === null || (profile === undefined && json.profileFound === false))) profile = {};
			if (typeof profile !== 'object' || profile === null) throw itemError(this, i, `profile field "${profileField}" is missing or not an object`);
			const nowMs = referenceMs(this, this.getNodeParameter('rulesReferenceDate', i, ''), 'Reference Date', i);
			// No event list, but a stored customer profile (Customer Profile → Get Profile writes it to
			// `profile`; Export Profiles outputs profiles): every segment's event conditions are decided from it.
			const stored = rawEvents === undefined || rawEvents === null ? storedProfile(profileField ? profile : json.profile) ?? storedProfile(json) : undefined;
			const membership = evaluateSegments(rules, { profile: profile as Record<string, unknown>, events, nowMs, stored });
			const misplaced = profileField ? [] : fieldsOnlyInProfile(rules, json);
			if (misplaced.length) {
				itemsOnlyInProfile++;
				misplaced.forEach((f) => onlyInProfile.add(f));
			}
			out.push({
				json: { ...json, segments: membership.segments, primary_segment: membership.primary, ...(membership.undecided ? { undecided_segments: membership.undecided } : {}) },
				pairedItem: { item: i },
			});
		} catch (error) {
			handleItemError(this, error, i, out);
		}
	}
	if (onlyInProfile.size) {
		const fields = [...onlyInProfile].map((f) => `"${f}"`).join(', ');
		this.addExecutionHints({
			message: `Profile Field is empty, so profile field conditions read the item itself, and on ${itemsOnlyInProfile} of ${items.length} items ${fields} ${onlyInProfile.size === 1 ? 'is' : 'are'} not on the item but under "profile" (Customer Profile → Get Profile's output): those conditions saw no value (a comparison does not hold, notExists and notEquals do). Set Profile Field to "profile".`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	return out;
}
