import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { assign, AssignError, normalizeCustomerId, validateConfig, type AssignConfig } from '../../engines/experiment/assign';
import { ATTRIBUTION_KEYS } from '../../engines/types/attribution';
import { showForVersion, type NodeVersion } from '../../shared/versions';

const show = { show: { operation: ['assign'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Experiment ID',
		name: 'experimentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'spring-recos-vs-static',
		description: 'A stable name for the test. The same customer always gets the same variant of the same experiment.',
		displayOptions: show,
	},
	// One parameter, described per node version: 1.1 also falls back to profile.userId and lower-cases email-like ids.
	...([1, 1.1] as const).map(
		(version): INodeProperties => ({
			displayName: 'Customer ID Field',
			name: 'customerIdField',
			type: 'string',
			default: '',
			placeholder: 'userId',
			description:
				version === 1
					? 'Field that identifies the customer (dot path allowed). Empty: the first of userId, profileId, customer_id, email.'
					: 'Field that identifies the customer (dot path allowed). Empty: the first of userId, profile.userId (Customer Profile → Get Profile), profileId, customer_id, email. An email-like ID is lower-cased.',
			displayOptions: showForVersion(version, { operation: ['assign'] }),
		}),
	),
	{
		displayName: 'Variants',
		name: 'variants',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: { variant: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }] },
		placeholder: 'Add Variant',
		description: 'Variants and their share of customers (weights need not add up to 100)',
		displayOptions: show,
		options: [
			{
				displayName: 'Variant',
				name: 'variant',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'E.g. control, treatment' },
					{ displayName: 'Weight', name: 'weight', type: 'number', typeOptions: { minValue: 0 }, default: 50, description: 'Relative share of customers' },
				],
			},
		],
	},
	{
		displayName: 'Holdout %',
		name: 'holdoutPercent',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 99, numberPrecision: 2 },
		default: 0,
		description: 'Share of customers kept out of the experiment entirely (variant "holdout"): they measure what happens with no email at all',
		displayOptions: show,
	},
];

/**
 * Where the customer id is looked for when Customer ID Field is empty, per node version.
 * Version 1.1 reads `profile.userId` (the profile Customer Profile → Get Profile adds) right after
 * the item's own `userId`: both are the merchant's customer id (the canonical event's `userId`,
 * the profile's `userId`), so a customer keeps one variant whether the item names them itself or
 * only through the profile found by address; ESP Dispatch reads the recipient's userId in the same
 * order. `profileId` (this package's internal id), `customer_id` and `email` follow as in version 1.
 */
export const FALLBACK_ID_FIELDS: Record<NodeVersion, string[]> = {
	1: ['userId', 'profileId', 'customer_id', 'email'],
	1.1: ['userId', 'profile.userId', 'profileId', 'customer_id', 'email'],
};

/** A text parameter as text: an expression may resolve to a number (`{{ 2024 }}`) or nothing. */
function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * A weight as a number: a number, or text holding one (an expression). Empty text, null or
 * true/false are no weight (NaN, refused by validateConfig) rather than a silent 0 (Number('') is 0).
 */
function weightOf(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	return Number.NaN;
}

function readId(json: IDataObject, field: string, fallback: string[]): string | undefined {
	const paths = field ? [field] : fallback;
	for (const path of paths) {
		let current: unknown = json;
		for (const key of path.split('.')) current = typeof current === 'object' && current !== null ? (current as IDataObject)[key] : undefined;
		if ((typeof current === 'string' && current.trim() !== '') || typeof current === 'number') return String(current).trim();
	}
	return undefined;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const version: NodeVersion = this.getNode().typeVersion >= 1.1 ? 1.1 : 1;
	const fallback = FALLBACK_ID_FIELDS[version];
	for (let i = 0; i < items.length; i++) {
		try {
			const variants = ((this.getNodeParameter('variants', i, {}) as IDataObject).variant ?? []) as Array<{ name: string; weight: number }>;
			const config: AssignConfig = {
				experimentId: text(this.getNodeParameter('experimentId', i)),
				variants: variants.map((v) => ({ name: text(v.name), weight: weightOf(v.weight) })),
				holdoutPercent: this.getNodeParameter('holdoutPercent', i, 0) as number,
			};
			validateConfig(config);
			const field = text(this.getNodeParameter('customerIdField', i, ''));
			const customerId = readId(items[i].json, field, fallback);
			if (customerId === undefined) {
				throw new NodeOperationError(this.getNode(), `Item ${i}: no customer ID in ${field ? `field "${field}"` : `any of ${fallback.join(', ')}`}`, {
					itemIndex: i,
					description: 'Set "Customer ID Field" to the field that identifies the customer',
				});
			}
			// Version 1 hashes the id as written (trimmed): its saved experiments keep their variants.
			const a = assign(version === 1 ? customerId : normalizeCustomerId(customerId), config);
			out.push({
				json: {
					...items[i].json,
					experiment: a.experiment,
					variant: a.variant,
					is_holdout: a.holdout,
					[ATTRIBUTION_KEYS.experimentId]: a.experiment,
					[ATTRIBUTION_KEYS.variant]: a.variant,
				},
				pairedItem: { item: i },
			});
		} catch (error) {
			const message = error instanceof AssignError ? `Item ${i}: ${error.message}` : (error as Error).message;
			if (this.continueOnFail()) {
				out.push({ json: { error: message }, pairedItem: { item: i } });
				continue;
			}
			throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), message, { itemIndex: i });
		}
	}
	return out;
}
