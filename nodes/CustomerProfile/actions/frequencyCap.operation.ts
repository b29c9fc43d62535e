import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { emailKey, MAX_CAP_WINDOW_HOURS, type ProfileStore, type SendDecision } from '../../engines/profile';
import { failedItem, isPlaceholderItem, itemError } from './common';

const show = { show: { operation: ['frequencyCap'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		default: '={{ $json.email || $json.profile?.email }}',
		required: true,
		description: 'The recipient address the cap counts for (stored only as its SHA-256 hash). The default is ESP Dispatch’s To Email, so the cap counts the address that is mailed.',
		displayOptions: show,
	},
	{
		displayName: 'Max Emails',
		name: 'capMax',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 1,
		description: 'How many emails of this category an address may get within the window, across every workflow using this store',
		displayOptions: show,
	},
	{
		displayName: 'Window (Hours)',
		name: 'capWindowHours',
		type: 'number',
		typeOptions: { minValue: 0.01, maxValue: MAX_CAP_WINDOW_HOURS, numberPrecision: 2 },
		default: 16,
		description: 'The period the cap counts over, up to 744 (31 days). 16 is Klaviyo’s Smart Sending default. A send at time t counts until t + window (at t + window exactly the slot is free).',
		displayOptions: show,
	},
	{
		displayName: 'Cap Category',
		name: 'capCategory',
		type: 'string',
		default: 'marketing',
		description: 'Sends are counted per category (trimmed, lower-cased): keep transactional mail out by giving it another category or no cap at all',
		displayOptions: show,
	},
	{
		displayName: 'Key',
		name: 'capKey',
		type: 'string',
		default: '',
		placeholder: '={{ $json.idempotencyKey }}',
		description: 'Optional identifier of this email (e.g. the idempotency key ESP Dispatch uses). The same key again within the window does not take a second slot and is within the cap, so a retry of a send is not capped by its own first attempt.',
		displayOptions: show,
	},
	{
		displayName: 'Output',
		name: 'capOutput',
		type: 'options',
		default: 'field',
		options: [
			{ name: 'Add a Field', value: 'field', description: 'One output; use an IF node on the field’s "allowed"' },
			{ name: 'Route to Two Outputs', value: 'route', description: 'Items go to "Within Cap" or "Over Cap" (each with the field)' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Put Result In Field',
		name: 'capField',
		type: 'string',
		default: 'frequencyCap',
		description: 'Field that receives allowed, sentInWindow, limit, windowHours and nextAllowedAt',
		displayOptions: show,
	},
];

/** What the item gets: the decision's five public fields. */
function result(d: Pick<SendDecision, 'allowed' | 'sentInWindow' | 'limit' | 'windowHours' | 'nextAllowedAt'>): IDataObject {
	return { allowed: d.allowed, sentInWindow: d.sentInWindow, limit: d.limit, windowHours: d.windowHours, nextAllowedAt: d.nextAllowedAt };
}

/** A number parameter: a number, or text holding one (an expression); NaN otherwise. */
function numberParameter(raw: unknown): number {
	if (typeof raw === 'number') return raw;
	if (typeof raw === 'string' && raw.trim() !== '') return Number(raw);
	return Number.NaN;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ProfileStore): Promise<INodeExecutionData[][]> {
	const route = (this.getNodeParameter('capOutput', 0, 'field') as string) === 'route';
	const within: INodeExecutionData[] = [];
	const over: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const field = (this.getNodeParameter('capField', i, 'frequencyCap') as string).trim() || 'frequencyCap';
			const fail = (message: string) => new NodeOperationError(this.getNode(), `Item ${i}: ${message}`, { itemIndex: i });
			const max = numberParameter(this.getNodeParameter('capMax', i, 1));
			const windowHours = numberParameter(this.getNodeParameter('capWindowHours', i, 16));
			if (!Number.isInteger(max) || max < 1) throw fail(`"Max Emails" (${String(this.getNodeParameter('capMax', i, ''))}) must be a whole number of 1 or more`);
			if (!Number.isFinite(windowHours) || windowHours <= 0 || windowHours > MAX_CAP_WINDOW_HOURS) {
				throw fail(`"Window (Hours)" (${String(this.getNodeParameter('capWindowHours', i, ''))}) must be more than 0 and at most ${MAX_CAP_WINDOW_HOURS} (31 days)`);
			}
			// An empty batch's placeholder: no recipient, nothing to send; it takes no slot and is not
			// allowed (ESP Dispatch would not mail it either).
			if (isPlaceholderItem(items[i])) {
				const json = { ...items[i].json, [field]: result({ allowed: false, sentInWindow: 0, limit: max, windowHours, nextAllowedAt: null }) };
				(route ? over : within).push({ json, pairedItem: { item: i } });
				continue;
			}
			// `Ann Lee <ann@example.com>` counts as ann@example.com, the address it is stored under
			const email = emailKey(String(this.getNodeParameter('email', i, '') ?? ''));
			if (!email || !email.includes('@')) throw fail(`"Email" (${email || 'empty'}) is not an email address`);
			const category = String(this.getNodeParameter('capCategory', i, 'marketing') ?? '').trim();
			if (!category) throw fail('"Cap Category" is empty');
			const rawKey = this.getNodeParameter('capKey', i, '');
			const key = rawKey === null || rawKey === undefined ? '' : String(rawKey).trim();
			let decision: SendDecision;
			try {
				decision = await store.reserveSend({ email, category, max, windowHours, key });
			} catch (error) {
				// the engine's own checks (e.g. a category over 100 characters) name the field; a store failure names the item
				throw error instanceof RangeError ? fail(error.message) : itemError(this, error, i);
			}
			const json = { ...items[i].json, [field]: result(decision) };
			if (route) (decision.allowed ? within : over).push({ json, pairedItem: { item: i } });
			else within.push({ json, pairedItem: { item: i } });
		} catch (error) {
			// routed, an error item goes to Over Cap (as Check Event Since sends it to Not Happened): it is not mailed
			(route ? over : within).push(failedItem(this, error, i));
		}
	}
	return route ? [within, over] : [within];
}
