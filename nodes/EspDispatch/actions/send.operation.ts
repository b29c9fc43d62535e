import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { ChannelUnavailableError, checkItemForChannel, dispatch, DispatchStoppedError, httpChannel, SentKeyMemoryUnavailableError, SentKeysNotRememberedError, validateItem, type Channel, type DispatchItem, type DispatchReport } from '../../engines/dispatch/engine';
import { StaticDataLedger } from '../../engines/dispatch/ledger';
import { exactError } from '../../shared/profileStore';
import { memoryLabel, sentKeyMemory, storeClaims } from './memory';
import { limiterFor } from '../../engines/dispatch/limiter';
import { getProvider } from '../../engines/dispatch/registry';
import { smtpChannel, type SmtpChannel } from '../../engines/dispatch/smtp';
import type { DispatchMode, ProviderSettings } from '../../engines/dispatch/types';
import { ATTRIBUTION_KEYS } from '../../engines/types/attribution';
import { perVersion, showForVersion, type NodeVersion } from '../../shared/versions';
import { isCustomerlessPlaceholder } from '../../shared/placeholder';
import { itemsLabel } from '../../shared/errors';
import { makeTransport } from '../transport';
import { LEDGER_FIELD } from './forget.operation';

const show = { show: { operation: ['send'] } };
const showMode = (mode: DispatchMode) => ({ show: { operation: ['send'], mode: [mode] } });
/** Shown for one node version only: version 1, or 1.1 and later. */
const showVersion = (version: NodeVersion) => showForVersion(version, { operation: ['send'] });

const UNSUBSCRIBE_URL_HINT =
	'HTTPS one-click unsubscribe link. When set, List-Unsubscribe and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058) are added.';
const unsubscribeUrl: INodeProperties = {
	displayName: 'Unsubscribe URL',
	name: 'unsubscribeUrl',
	type: 'string',
	default: '',
	placeholder: '={{ $json.unsubscribeUrl }}',
};

export const description: INodeProperties[] = [
	{
		displayName: 'Message Content',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		displayOptions: show,
		default: 'rendered',
		options: [
			{ name: 'Rendered by a Previous Node', value: 'rendered', description: 'Each item carries its own subject, HTML and text (e.g. from Render Email)' },
			{ name: 'Provider Template', value: 'template', description: 'A template stored at the provider, filled with per-recipient variables' },
		],
	},
	// Version 1.1 reads the sender Render Email 1.1 writes (message.from) and falls back from the
	// item's `email` to the address Customer Profile → Get Profile found (profile.email).
	{ displayName: 'From Email', name: 'fromEmail', type: 'string', default: '', required: true, placeholder: 'news@example.com', displayOptions: showVersion(1) },
	{
		displayName: 'From Email',
		name: 'fromEmail',
		type: 'string',
		default: '={{ $json.message?.from?.email }}',
		required: true,
		placeholder: 'news@example.com',
		displayOptions: showVersion(1.1),
		description: 'Sender address. By default the From Email set in Render Email (message.from.email).',
	},
	{ displayName: 'From Name', name: 'fromName', type: 'string', default: '', placeholder: 'Example Store', displayOptions: showVersion(1) },
	{
		displayName: 'From Name',
		name: 'fromName',
		type: 'string',
		default: '={{ $json.message?.from?.name }}',
		placeholder: 'Example Store',
		displayOptions: showVersion(1.1),
		description: 'By default the From Name set in Render Email (message.from.name)',
	},
	{ displayName: 'To Email', name: 'toEmail', type: 'string', default: '={{ $json.email }}', required: true, displayOptions: showVersion(1), description: 'Recipient address (one recipient per item)' },
	{
		displayName: 'To Email',
		name: 'toEmail',
		type: 'string',
		default: '={{ $json.email || $json.profile?.email }}',
		required: true,
		displayOptions: showVersion(1.1),
		description: 'Recipient address (one recipient per item). By default the item\'s email, else the email of the profile Customer Profile → Get Profile found.',
	},
	{ displayName: 'To Name', name: 'toName', type: 'string', default: '', displayOptions: show },
	// Version 1.1 reads what Render Email 1.1 writes (its Output Field defaults to `message`);
	// version 1 keeps its top-level defaults, so saved workflows read what they always read.
	...perVersion({ displayName: 'Subject', name: 'subject', type: 'string', default: '', displayOptions: showMode('rendered') }, { 1: '={{ $json.subject }}', 1.1: '={{ $json.message?.subject }}' }),
	...perVersion({ displayName: 'HTML Body', name: 'html', type: 'string', default: '', displayOptions: showMode('rendered'), typeOptions: { rows: 3 } }, { 1: '={{ $json.html }}', 1.1: '={{ $json.message?.html }}' }),
	...perVersion({ displayName: 'Text Body', name: 'text', type: 'string', default: '', displayOptions: showMode('rendered'), typeOptions: { rows: 3 } }, { 1: '={{ $json.text }}', 1.1: '={{ $json.message?.text }}' }),
	{ displayName: 'Template ID', name: 'templateId', type: 'string', default: '', required: true, displayOptions: showMode('template'), description: 'The template ID (or Postmark alias) at the provider' },
	{
		displayName: 'Template Variables',
		name: 'variables',
		type: 'json',
		default: '={{ JSON.stringify($json.variables ?? {}) }}',
		displayOptions: showMode('template'),
		description: 'This recipient\'s variables as a JSON object',
	},
	{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '', displayOptions: show, description: 'Written into the provider metadata for attribution, and part of the default duplicate key' },
	{ ...unsubscribeUrl, displayOptions: showVersion(1), description: UNSUBSCRIBE_URL_HINT },
	// Version 1.1 falls back to the Unsubscribe URL set in Render Email (message.unsubscribe_url),
	// the URL of the body's {{ unsubscribe_url }} link; version 1 reads this parameter alone.
	{
		...unsubscribeUrl,
		// empty is the usual setting here: the placeholder says what is used then
		placeholder: 'Empty: message.unsubscribe_url from Render Email',
		displayOptions: showVersion(1.1),
		description: `${UNSUBSCRIBE_URL_HINT} Empty: the Unsubscribe URL set in Render Email (message.unsubscribe_url), the same link as the email's {{ unsubscribe_url }}.`,
	},
	{ displayName: 'Unsubscribe Email', name: 'unsubscribeMailto', type: 'string', default: '', placeholder: 'unsubscribe@example.com', displayOptions: show, description: 'Also offered in List-Unsubscribe as a mailto: link' },
	{
		displayName: 'Suppressed Field',
		name: 'suppressionField',
		type: 'string',
		default: 'suppressed',
		displayOptions: show,
		description: 'Item field (dot path) that marks a recipient not to mail: true, one of unsubscribed, bounced, complained, spam, suppressed, or an object with such flags. Left at "suppressed" and the item has none, the flags Customer Profile writes are read: "suppression" (Check Suppression), else "profile" (Get Profile). Leave empty to ignore.',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether to output the exact requests that would be sent, without sending anything',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 4, typeOptions: { minValue: 1, maxValue: 64 }, description: 'Requests in flight at once for this credential' },
			{
				displayName: 'Configuration Set',
				name: 'configurationSetName',
				type: 'string',
				default: '',
				displayOptions: { show: { '/provider': ['ses'] } },
				description: 'Amazon SES configuration set (event publishing, dedicated IP pool)',
			},
			{ displayName: 'Duplicate Window (Hours)', name: 'duplicateWindowHours', type: 'number', default: 24, typeOptions: { minValue: 0 }, description: 'A message whose idempotency key was sent within this window is skipped as duplicate. 0 turns duplicate memory off.' },
			{ displayName: 'Experiment ID', name: 'experimentId', type: 'string', default: '', description: 'Written into the provider metadata (pz_experiment_id). In version 1.1, when unset, the item\'s pz_experiment_id (what A/B Experiment Assign writes).' },
			{ displayName: 'Idempotency Key', name: 'idempotencyKey', type: 'string', default: '', placeholder: '={{ $json.messageId }}', description: 'Unique per message. Default: pz- + SHA-256 of the recipient (lower-cased), Campaign ID, and the content: subject + HTML + text, or template ID + variables. Set your own if the content holds per-run values (e.g. a timestamp).' },
			{ displayName: 'Initial Retry Delay (Ms)', name: 'initialRetryDelayMs', type: 'number', default: 500, typeOptions: { minValue: 0 } },
			{ displayName: 'Max Attempts', name: 'maxAttempts', type: 'number', default: 5, typeOptions: { minValue: 1, maxValue: 20 }, description: 'Tries per message, the first included (retries only on 429, 5xx and timeouts)' },
			{ displayName: 'Max Remembered Keys', name: 'maxRememberedKeys', type: 'number', default: 20000, typeOptions: { minValue: 0 }, description: 'Bound on the duplicate memory kept in the workflow static data (oldest dropped first). 0 = no limit (only the duplicate window bounds it). Each key costs about 31 bytes, rewritten after every production run: 20,000 keys ≈ 0.6 MB, 100,000 ≈ 3 MB.' },
			{ displayName: 'Max Retry Delay (Ms)', name: 'maxRetryDelayMs', type: 'number', default: 30000, typeOptions: { minValue: 0 } },
			{ displayName: 'Max Retry-After Wait (Seconds)', name: 'maxRetryAfterSeconds', type: 'number', default: 120, typeOptions: { minValue: 0 }, description: 'If the provider asks to wait longer than this, the messages fail instead' },
			{
				displayName: 'Message Stream',
				name: 'messageStream',
				type: 'string',
				default: 'outbound',
				displayOptions: { show: { '/provider': ['postmark'] } },
				description: 'Postmark message stream ID (use your broadcast stream for marketing mail)',
			},
			{ displayName: 'Max Messages per Request', name: 'batchSize', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Fewer messages per request than the provider allows. 0 = the provider maximum.' },
			{ displayName: 'Messages per Second', name: 'messagesPerSecond', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Per credential. 0 = no limit.' },
			{ displayName: 'Reply-To Email', name: 'replyTo', type: 'string', default: '', description: 'In version 1.1, when unset, the Reply-To set in Render Email (message.reply_to)' },
			{ displayName: 'Request Timeout (Ms)', name: 'timeoutMs', type: 'number', default: 30000, typeOptions: { minValue: 100 } },
			{ displayName: 'Requests per Second', name: 'requestsPerSecond', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Per credential. 0 = no limit.' },
			{ displayName: 'Sandbox Mode', name: 'sandboxMode', type: 'boolean', default: false, noDataExpression: true, displayOptions: { show: { '/provider': ['sendgrid'] } }, description: 'Whether SendGrid validates the request without delivering it. Status "sandbox"; nothing is remembered as sent. Applies to all items (no expression).' },
			{ displayName: 'Segment', name: 'segment', type: 'string', default: '' },
			{
				displayName: 'Subaccount',
				name: 'subaccount',
				type: 'string',
				default: '',
				displayOptions: { show: { '/provider': ['mandrill'] } },
				description: 'Mailchimp Transactional subaccount ID to send through',
			},
			{ displayName: 'Suppression List', name: 'suppressionList', type: 'string', default: '', typeOptions: { rows: 3 }, description: 'Addresses never to mail (unsubscribed, bounced, spam complaints), separated by commas or new lines. Read per item.' },
			{ displayName: 'Tags', name: 'tags', type: 'string', default: '', description: 'Comma-separated tags / categories' },
			{ displayName: 'Test Mode Address', name: 'testAddress', type: 'string', default: '', placeholder: 'qa@example.com', noDataExpression: true, description: 'Send every message to this address instead, with the real recipient in the X-Pz-Original-Recipient header. Test sends are not remembered as sent. Applies to all items (no expression).' },
			{ displayName: 'Variant', name: 'variant', type: 'string', default: '', description: 'Written into the provider metadata (pz_variant). In version 1.1, when unset, the item\'s pz_variant (what A/B Experiment Assign writes).' },
		],
	},
];

/**
 * Words of a Suppressed Field (or of a flag in its object) that mean "set": suppressed, with no
 * reason of its own. `t` (and `f` below) is how PostgreSQL writes a boolean as text (psql, COPY, a
 * ::text cast; PostgreSQL docs, 8.6 Boolean Type: "boolean values are output using the letters t and f").
 * `on` (and `off` below) is what an HTML form sends for a ticked checkbox without a value (HTML
 * Living Standard, the input element's checkbox state: its default value is "on"), e.g. to a
 * Webhook node, and a YAML 1.1 boolean, as y/n and yes/no are.
 */
const SET_VALUES = new Set(['true', 'yes', 'y', 't', 'on', '1']);
const SUPPRESSED_VALUES = new Set(['unsubscribed', 'bounced', 'complained', 'spam', 'suppressed', ...SET_VALUES]);
/** Values of a Suppressed Field that mean "may be mailed"; any other text is refused (UnreadableSuppression). */
const MAILABLE_VALUES = new Set(['', 'false', 'no', 'n', 'f', 'off', '0']);

/**
 * What a Suppressed Field says: a reason not to mail, undefined (may be mailed), or `unreadable`: a
 * value that says neither (`hard_bounce`, `unsubscribe`, 2). Mailing it could mail an address the
 * data meant to stop, so the item fails naming the field and the value instead.
 */
type SuppressionReading = string | undefined | { unreadable: string };

/** The n8n execution this run belongs to (the node's runs in a loop share the duplicate memory's run). */
function executionId(ctx: IExecuteFunctions): string | undefined {
	try {
		const id = ctx.getExecutionId();
		return typeof id === 'string' && id !== '' ? id : undefined;
	} catch {
		return undefined;
	}
}

function str(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * Why an item must not be mailed, from its Suppressed Field (a dot path): `true`, one of the
 * reason words, or an object such as Customer Profile's "Check Suppression" output
 * (`{ suppressed, unsubscribed, bounced, complained }`).
 */
function suppressedReason(json: IDataObject, field: string): SuppressionReading {
	if (!field) return undefined;
	let value: unknown = json;
	for (const key of field.split('.')) value = value !== null && typeof value === 'object' ? (value as IDataObject)[key] : undefined;
	return reasonOf(value);
}

/** The Suppressed Field's default: the item's own `suppressed` field. */
const DEFAULT_SUPPRESSED_FIELD = 'suppressed';
/**
 * Read, in this order, when the Suppressed Field is left at its default and the item's own
 * `suppressed` does not stop the send: the fields Customer Profile writes by default (Check
 * Suppression's `suppression`, Get Profile's `profile`), both objects with unsubscribed / bounced /
 * complained.
 */
const PROFILE_SUPPRESSION_FIELDS = ['suppression', 'profile'] as const;

/**
 * suppressedReason for the item's Suppressed Field. An explicitly set (or cleared) field is read
 * alone: a receipt workflow may mean to mail unsubscribed customers. The default field stops the
 * send when either the item's own `suppressed` or Customer Profile's flags
 * (PROFILE_SUPPRESSION_FIELDS) say so: `suppressed: false` from a CRM must not mail an address Check
 * Suppression found unsubscribed or bounced, and an unreadable own value with such flags is
 * suppressed rather than failed (this fallback only ever stops a send).
 */
function itemSuppressedReason(json: IDataObject, field: string): SuppressionReading {
	const own = suppressedReason(json, field);
	if (field !== DEFAULT_SUPPRESSED_FIELD || typeof own === 'string') return own;
	for (const fallback of PROFILE_SUPPRESSION_FIELDS) {
		const value = json[fallback];
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
			const reason = reasonOf(value);
			if (typeof reason === 'string') return reason;
		}
	}
	return own;
}

function reasonOf(value: unknown): SuppressionReading {
	if (value === true) return 'suppressed';
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
		const flags = value as IDataObject;
		// 1 as well as true: a MySQL tinyint(1); "true", "1", "yes", "y", "t", "on" as text: a CSV, a sheet, PostgreSQL text, a form
		const set = (flag: unknown) => flag === true || flag === 1 || (typeof flag === 'string' && SET_VALUES.has(flag.trim().toLowerCase()));
		for (const reason of ['unsubscribed', 'bounced', 'complained'] as const) if (set(flags[reason])) return reason;
		return set(flags.suppressed) ? 'suppressed' : undefined;
	}
	if (Array.isArray(value)) return { unreadable: JSON.stringify(value).slice(0, 60) };
	const text = str(value).toLowerCase();
	if (MAILABLE_VALUES.has(text)) return undefined;
	if (!SUPPRESSED_VALUES.has(text)) return { unreadable: str(value).slice(0, 60) };
	return SET_VALUES.has(text) ? 'suppressed' : text;
}

/**
 * The parameter an item error is about (toEmail, subject, unsubscribeUrl, suppressionField…), kept
 * with the error: with Continue On Fail the failed item carries it as `field`, since the error's
 * description ("Field: …"), which n8n shows when the node stops, is not part of that item.
 */
const ERROR_FIELD = new WeakMap<Error, string>();

/** A NodeOperationError of item i about the parameter `field` (ERROR_FIELD); the description names the field. */
function fieldError(ctx: IExecuteFunctions, i: number, message: string, field: string, description = `Field: ${field}`): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), `Item ${i}: ${message}`, { itemIndex: i, description });
	ERROR_FIELD.set(error, field);
	return error;
}

/** itemSuppressedReason, with a value it cannot read failing item i naming the field and the value. */
function suppressionOf(ctx: IExecuteFunctions, json: IDataObject, field: string, i: number): string | undefined {
	const reading = itemSuppressedReason(json, field);
	if (typeof reading !== 'object') return reading;
	throw fieldError(
		ctx,
		i,
		`Suppressed Field "${field}" holds "${reading.unreadable}", which says neither suppressed nor mailable`,
		'suppressionField',
		'Field: suppressionField. Write true, 1, yes, y, t, on or one of unsubscribed, bounced, complained, spam, suppressed to stop the send; false, 0, no, n, f, off or nothing to mail. Not mailed rather than guessed.',
	);
}

/** The `message` object Render Email 1.1 writes (its Output Field default), if the item has one. */
function renderedMessage(json: IDataObject): IDataObject | undefined {
	const message = json.message;
	return message !== null && typeof message === 'object' && !Array.isArray(message) ? (message as IDataObject) : undefined;
}

/** A `pz_*` attribution value the item carries (A/B Experiment Assign writes pz_experiment_id and pz_variant). */
function itemAttribution(json: IDataObject, key: string): string | undefined {
	const value = json[key];
	return typeof value === 'string' || typeof value === 'number' ? str(value) || undefined : undefined;
}

/**
 * The recipient's userId the item carries: its own (a canonical event, a profile as the item),
 * else that of the profile Customer Profile → Get Profile added (`profile.userId`). Kept on the
 * result item so that what follows (an Email Sent recorded per customer, A/B Experiment Analyze)
 * can join the send to the customer's other events by userId; in version 1.1 also written into
 * the provider metadata (`pz_user_id`), so that the provider's engagement events carry it back.
 */
function itemUserId(json: IDataObject): string | undefined {
	const own = itemAttribution(json, 'userId');
	if (own !== undefined) return own;
	const profile = json.profile;
	return profile !== null && typeof profile === 'object' && !Array.isArray(profile) ? itemAttribution(profile as IDataObject, 'userId') : undefined;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out = await send.call(this, items);
	if (this.getNode().onError === 'continueErrorOutput') markFailedForErrorOutput(out);
	return out;
}

/**
 * With On Error → Continue (using error output), failed messages leave on the error output; every
 * other status (sent, queued, suppressed, duplicate, unknown…) stays on the success output. n8n
 * routes an item there when its json holds only `error`, `message` and `details`, and gives it back
 * the fields of the input item it is paired with (n8n-core's handleNodeErrorOutput); an item with
 * an `error` object instead (item.error) gets its json replaced by `{ error: <message> }` after that
 * (normalizeNodeErrors), so neither the input fields nor the result would reach the error branch.
 * So a failed result becomes `{ error, details }`: `error` the message (`Item 1: …`), `details`
 * the rest of the result (status, recipient, provider, responseCode, attempts, idempotencyKey,
 * messageId, userId…). With the other settings failed messages stay result items with status
 * failed, as before (filter them with an IF node).
 */
function markFailedForErrorOutput(out: INodeExecutionData[]): void {
	out.forEach((item, i) => {
		if (item?.json.status !== 'failed') return;
		const { error, ...details } = item.json;
		const text = String(error ?? 'failed');
		item.json = { error: /^Item \d+: /.test(text) ? text : `Item ${i}: ${text}`, details };
	});
}

async function send(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	// Version 1.1 also reads what the nodes before it write by default: Render Email 1.1's
	// message.reply_to and message.unsubscribe_url, A/B Experiment Assign's pz_experiment_id / pz_variant.
	const v11 = this.getNode().typeVersion >= 1.1;
	const providerId = this.getNodeParameter('provider', 0) as string;
	const entry = getProvider(providerId);
	if (!entry) throw new NodeOperationError(this.getNode(), `Unknown provider "${providerId}"`);
	const mode = this.getNodeParameter('mode', 0) as DispatchMode;
	const dryRun = this.getNodeParameter('dryRun', 0, false) as boolean;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	if (entry.kind === 'smtp' && mode === 'template') {
		throw new NodeOperationError(this.getNode(), 'SMTP has no provider templates: use "Rendered by a Previous Node" with SMTP', { description: 'Render the email with the Render Email node first.' });
	}

	const out: INodeExecutionData[] = new Array(items.length);
	const dispatchItems: DispatchItem[] = [];
	// the userId of each item's recipient, written on its result whatever becomes of it
	const userIds = items.map((item) => itemUserId(item.json));
	const withUserId = (i: number, json: IDataObject): IDataObject => (userIds[i] !== undefined ? { ...json, userId: userIds[i] } : json);
	const fail = (i: number, error: NodeOperationError) => {
		if (!this.continueOnFail()) throw error;
		const field = ERROR_FIELD.get(error);
		out[i] = { json: withUserId(i, { status: 'failed', error: error.message, ...(field !== undefined ? { field } : {}) }), pairedItem: { item: i } };
	};
	// Node-level options, read once: test address and sandbox mode (marked noDataExpression), and
	// the throughput / retry / memory settings. Tags, message stream and the suppression list
	// are read per item below.
	const sandbox = Boolean(options.sandboxMode);
	const providerOptions: Record<string, unknown> = {};
	if (sandbox) providerOptions.sandboxMode = true;
	if (options.configurationSetName) providerOptions.ConfigurationSetName = options.configurationSetName;
	if (options.subaccount) providerOptions.subaccount = options.subaccount;
	let suppressionText: string | undefined;
	let suppressionSet = new Set<string>();
	const testAddress = str(options.testAddress) || undefined;

	for (let i = 0; i < items.length; i++) {
		try {
			const p = (name: string, fallback: unknown = '') => this.getNodeParameter(name, i, fallback);
			const o = this.getNodeParameter('options', i, {}) as IDataObject;
			let variables: Record<string, unknown> | undefined;
			if (mode === 'template') {
				const raw = p('variables', '{}');
				try {
					variables = (typeof raw === 'string' ? (raw.trim() ? JSON.parse(raw) : {}) : raw) as Record<string, unknown>;
				} catch {
					throw fieldError(this, i, '"Template Variables" is not valid JSON', 'variables');
				}
				if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
					throw fieldError(this, i, '"Template Variables" must be a JSON object', 'variables');
				}
			}
			const replyTo = str(o.replyTo) || (v11 ? str(renderedMessage(items[i].json)?.reply_to) : '');
			const toEmail = str(p('toEmail'));
			// Normalize Event's placeholder has no recipient; an item with a recipient and skipped: true is mailed.
			const placeholder = !toEmail && isCustomerlessPlaceholder(items[i].json);
			if (str(o.suppressionList) !== suppressionText) {
				// Parsed again only when the list differs from the previous item's.
				suppressionText = str(o.suppressionList);
				suppressionSet = new Set(suppressionText.split(/[\s,;]+/).map((s) => s.trim().toLowerCase()).filter(Boolean));
			}
			const itemTags = str(o.tags) ? str(o.tags).split(',').map((t) => t.trim()).filter(Boolean) : undefined;
			const stream = str(o.messageStream);
			// 1.1: Variant and Experiment ID fall back to the input item's pz_variant / pz_experiment_id
			const itemVariant = !str(o.variant) && v11 ? itemAttribution(items[i].json, ATTRIBUTION_KEYS.variant) : undefined;
			const itemExperiment = !str(o.experimentId) && v11 ? itemAttribution(items[i].json, ATTRIBUTION_KEYS.experimentId) : undefined;
			const item: DispatchItem = {
				index: i,
				to: { email: toEmail, name: str(p('toName')) || undefined },
				from: { email: str(p('fromEmail')), name: str(p('fromName')) || undefined },
				replyTo: replyTo ? { email: replyTo } : undefined,
				subject: mode === 'rendered' ? str(p('subject')) : undefined,
				html: mode === 'rendered' ? str(p('html')) || undefined : undefined,
				text: mode === 'rendered' ? str(p('text')) || undefined : undefined,
				templateId: mode === 'template' ? str(p('templateId')) : undefined,
				variables,
				idempotencyKey: str(o.idempotencyKey) || undefined,
				campaignId: str(p('campaignId')) || undefined,
				attribution: {
					variant: str(o.variant) || itemVariant,
					segment: str(o.segment) || undefined,
					experimentId: str(o.experimentId) || itemExperiment,
					// 1.1: the recipient's userId also goes into the provider metadata (pz_user_id), so the
					// engagement events come back with it as properties.user_id (not in test mode, see toMessage).
					userId: v11 ? userIds[i] : undefined,
				},
				// so that an error names where such a value came from
				attributionFrom: {
					...(itemVariant !== undefined ? { variant: ATTRIBUTION_KEYS.variant } : {}),
					...(itemExperiment !== undefined ? { experimentId: ATTRIBUTION_KEYS.experimentId } : {}),
				},
				unsubscribeUrl: str(p('unsubscribeUrl')) || (v11 ? str(renderedMessage(items[i].json)?.unsubscribe_url) : '') || undefined,
				unsubscribeMailto: str(p('unsubscribeMailto')) || undefined,
				suppressedReason:
					// Normalize Event's item for an empty batch: no event, no recipient (both versions: it never was mailable).
					(placeholder ? "Normalize Event's empty-batch placeholder: no recipient" : undefined) ??
					suppressionOf(this, items[i].json, str(p('suppressionField', DEFAULT_SUPPRESSED_FIELD)), i) ??
					(suppressionSet.has(toEmail.toLowerCase()) ? 'on the suppression list' : undefined),
				// A/B Experiment Assign's holdout gets no email by design (it measures what happens without one).
				holdout: v11 && items[i].json.is_holdout === true,
				tags: itemTags,
				options: stream ? { ...providerOptions, messageStream: stream } : providerOptions,
			};
			// 1.1: a recipient who is not to be mailed (suppressed, A/B holdout) needs no content or
			// sender; a workflow may well render only the recipients it means to mail.
			if ((v11 || placeholder) && (item.suppressedReason || item.holdout)) {
				dispatchItems.push(item);
				continue;
			}
			if (v11 && !item.from.email) {
				throw fieldError(this, i, 'From Email is empty', 'fromEmail', 'Field: fromEmail. Set From Email in ESP Dispatch, or From Email in Render Email (read from message.from.email by default).');
			}
			const problem = validateItem(item, mode);
			if (problem) {
				throw fieldError(this, i, problem.message, problem.field);
			}
			// Then the provider's documented per-message limits (SES header values, Brevo params, an
			// attribution header over one line), so that such an item fails alone before anything is sent.
			const limit = checkItemForChannel(item, entry, { mode, testAddress });
			if (limit) {
				throw fieldError(this, i, `${limit.message} (field: ${limit.field})`, limit.field);
			}
			dispatchItems.push(item);
		} catch (error) {
			fail(i, error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: i }));
		}
	}

	const windowHours = Number(options.duplicateWindowHours ?? 24);
	const staticData = this.getWorkflowStaticData('global');
	// Test Mode and Sandbox Mode neither check nor fill the memory, so they do not load it either:
	// loading records this node's window and bound in the memory all ESP Dispatch nodes of the
	// workflow share, and prunes it (each node's keys by that node's own window and bound).
	// Sent-Key Memory = Customer Profile Store: the keys are claimed in the store's table before
	// sending (dispatch's claims), and the static data is left alone.
	const inStore = sentKeyMemory(this) === 'profileStore';
	const remember = windowHours > 0 && !testAddress && !sandbox;
	const ledger = remember && !inStore
		? new StaticDataLedger(staticData, windowHours * 3600, Number(options.maxRememberedKeys ?? 20000), LEDGER_FIELD, Date.now(), this.getNode().id, executionId(this))
		: undefined;
	const claims = remember && inStore ? storeClaims(this, windowHours * 3600) : undefined;

	const node = this.getNode();
	const credentialId = node.credentials?.[entry.credentialType]?.id ?? node.id;
	const limits = {
		messagesPerSecond: Number(options.messagesPerSecond ?? 0),
		requestsPerSecond: Number(options.requestsPerSecond ?? 0),
		concurrency: Number(options.concurrency ?? 4),
	};
	let smtp: SmtpChannel | undefined;
	const credentialName = node.credentials?.[entry.credentialType]?.name ?? entry.credentialType;
	// A failure of the node itself (the engine throwing): with Continue On Fail one failed item per
	// input item (validation errors keep their own), else an error.
	const failAll = (error: unknown, message: string, description: string): INodeExecutionData[] => {
		const text = `${message}: ${(error as Error)?.message ?? String(error)}`;
		if (!this.continueOnFail()) throw new NodeOperationError(node, text, { description });
		for (let i = 0; i < items.length; i++) out[i] ??= { json: withUserId(i, { status: 'failed', error: `${text}. ${description}` }), pairedItem: { item: i } };
		return out;
	};
	// The credential is loaded only when a message is to be sent or shown (dispatch opens the channel
	// after suppression and the duplicate memory): a suppressed, held-out or duplicate recipient
	// keeps its status whether or not the credential can be loaded.
	const open = async (): Promise<Channel> => {
		const credentials = await this.getCredentials(entry.credentialType);
		if (entry.kind === 'smtp') {
			return (smtp = smtpChannel({
				host: str(credentials.host),
				port: Number(credentials.port ?? 587),
				secure: Boolean(credentials.secure),
				user: str(credentials.user) || undefined,
				password: credentials.password === undefined ? undefined : String(credentials.password),
				allowUnauthorizedCerts: Boolean(credentials.ignoreSslIssues),
				allowLoginWithoutTls: Boolean(credentials.allowLoginWithoutTls),
				maxConnections: limits.concurrency,
				timeoutMs: Number(options.timeoutMs ?? 30000),
			}));
		}
		const settings: ProviderSettings = {};
		for (const key of entry.settingsFromCredential) {
			const value = credentials[key];
			if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') settings[key] = value;
		}
		return httpChannel(entry.provider!, settings, makeTransport(this, entry.credentialType, Number(options.timeoutMs ?? 30000)));
	};
	const check = entry.check;

	/**
	 * One result item per outcome, into `out`. The A/B attribution each message carried
	 * (pz_experiment_id / pz_variant) is kept on its result under the names A/B Experiment Assign
	 * writes, so A/B Experiment Analyze (Engagement Events) can count this send for its variant; and
	 * the recipient's userId (itemUserId), to join by.
	 */
	const results = (report: DispatchReport): INodeExecutionData[] => {
		const attributionOf = new Map(dispatchItems.map((d) => [d.index, d.attribution]));
		for (const o of report.outcomes) {
			const json: IDataObject = {
				status: o.status,
				recipient: o.recipient,
				provider: entry.id,
				idempotencyKey: o.idempotencyKey,
				messageId: o.messageId,
				providerMessageId: o.providerMessageId ?? null,
				responseCode: o.responseCode ?? null,
				attempts: o.attempts,
			};
			if (o.error) json.error = o.error;
			if (o.sentTo) json.sentTo = o.sentTo;
			if (o.sentAt) json.sentAt = o.sentAt;
			if (o.attemptedAt) json.attemptedAt = o.attemptedAt;
			if (o.heldOutAt) json.heldOutAt = o.heldOutAt;
			if (o.request) json.request = o.request as unknown as IDataObject;
			const attribution = attributionOf.get(o.index);
			if (attribution?.experimentId) json.experiment = attribution.experimentId;
			if (attribution?.variant) json.variant = attribution.variant;
			out[o.index] = { json: withUserId(o.index, json), pairedItem: { item: o.index } };
		}
		return out;
	};

	let report: DispatchReport;
	try {
		report = await dispatch(dispatchItems, { check, open }, {
			mode,
			dryRun,
			testAddress,
			sandbox,
			ledger,
			claims,
			limiter: limiterFor(`${entry.id}:${credentialId}`, limits),
			batchSize: Number(options.batchSize ?? 0),
			retry: {
				maxAttempts: Number(options.maxAttempts ?? 5),
				initialDelayMs: Number(options.initialRetryDelayMs ?? 500),
				maxDelayMs: Number(options.maxRetryDelayMs ?? 30000),
				maxRetryAfterMs: Number(options.maxRetryAfterSeconds ?? 120) * 1000,
			},
		});
	} catch (error) {
		if (error instanceof ChannelUnavailableError) {
			const text = `Could not load the credential "${credentialName}" (type ${entry.credentialType}): ${error.message}`;
			const description = 'Select or re-create the credential in the node; nothing was sent.';
			if (!this.continueOnFail()) throw new NodeOperationError(node, text, { description });
			// Continue On Fail: the messages that were to be sent fail; a suppressed, held-out or
			// duplicate recipient keeps its status (none of them needed the credential).
			report = error.report;
			const unsent = new Set(error.unsent);
			for (const o of report.outcomes) if (unsent.has(o.index)) o.error = `${text}. ${description}`;
			return results(report);
		}
		if (error instanceof SentKeyMemoryUnavailableError) {
			// Nothing was sent: no message's key could be claimed. Suppressed recipients keep their status.
			const unsent = error.unsent;
			const text = `not sent: the sent-key memory (${memoryLabel(this)}) could not be reached: ${error.message}`;
			const description = 'Check the Storage settings of Sent-Key Memory (the database file, or the PostgreSQL credential and that the server is up). No message was sent, so a later run sends them.';
			if (!this.continueOnFail()) {
				throw exactError(this, `${itemsLabel(unsent)}: ${text}`, { itemIndex: unsent[0], description });
			}
			report = error.report;
			for (const o of report.outcomes) if (unsent.includes(o.index)) o.error = `Item ${o.index}: ${text}. ${description}`;
			return results(report);
		}
		if (error instanceof SentKeysNotRememberedError && !this.continueOnFail()) {
			// Sent, but their keys are not in the memory (their claims lapse): a re-run would mail them again.
			const n = error.unremembered.length;
			throw new NodeOperationError(node, `Sending through ${entry.displayName} stopped: ${error.message}`, {
				itemIndex: error.unremembered[0],
				description: `${n === 1 ? `Item ${error.unremembered[0]} was` : `Items ${error.unremembered.join(', ')} were`} sent but NOT remembered in the sent-key memory (${memoryLabel(this)}): a re-run would send ${n === 1 ? 'it' : 'them'} again. Reconcile ${n === 1 ? 'it' : 'them'} by messageId (pz_message_id) or the provider's message search, and leave ${n === 1 ? 'it' : 'them'} out (or fix the memory's storage) before re-running. Other messages the provider accepted are remembered.`,
			});
		}
		const description = 'Messages the provider accepted before the error are remembered in the duplicate memory, so a re-run does not send them twice; reconcile by messageId (pz_message_id) if needed.';
		if (!(error instanceof DispatchStoppedError)) return failAll(error, `Sending through ${entry.displayName} stopped`, description);
		if (!this.continueOnFail()) {
			const counts: Record<string, number> = {};
			for (const o of error.report.outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
			const summary = Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ');
			throw new NodeOperationError(node, `Sending through ${entry.displayName} stopped: ${error.message}`, { description: `${description} Outcomes: ${summary}.` });
		}
		// Continue On Fail: each item says what became of it (sent, unknown, or not sent).
		report = error.report;
	} finally {
		smtp?.close();
		if (ledger) {
			ledger.prune(Date.now());
			// Reassign so n8n sees the static data changed and persists it.
			staticData[LEDGER_FIELD] = { ...ledger.state } as unknown as IDataObject;
			// The bound keeps all of this run's keys (a re-run must find them), but says so.
			const kept = ledger.keysThisRun;
			if (ledger.bound > 0 && kept > ledger.bound) {
				const n = (x: number) => x.toLocaleString('en-US');
				this.addExecutionHints({
					message: `This run remembered ${n(kept)} sent keys, more than Max Remembered Keys (${n(ledger.bound)}). All are kept, so a re-run finds them, until the next run of this node that sends drops the oldest beyond ${n(ledger.bound)}. Raise Max Remembered Keys (Options) to at least ${n(kept)}, or set it to 0 (no limit: only the Duplicate Window bounds the memory).`,
					type: 'warning',
					location: 'outputPane',
				});
			}
		}
	}

	if (report.credentialRejected && !this.continueOnFail()) {
		throw new NodeApiError(node, { message: report.credentialRejected } as never, {
			message: `${entry.displayName} rejected the credential "${node.credentials?.[entry.credentialType]?.name ?? entry.credentialType}"`,
			description: `${report.credentialRejected}. Check the key in the credential (type ${entry.credentialType}); nothing was sent.`,
		});
	}

	if (report.unreachable && !this.continueOnFail()) {
		throw new NodeOperationError(node, `Could not reach ${entry.displayName}: ${report.unreachable}`, {
			description: `Check the host, port and TLS settings of the credential "${credentialName}" (type ${entry.credentialType}) and that the server is up; nothing was sent.`,
		});
	}

	// The provider's answer stopped the run before it accepted anything (an account refusal such as
	// SES's used-up daily quota, or a Retry-After over the maximum): the execution fails, so that the
	// workflow's error workflow hears of it, as for a rejected credential.
	if (report.halted && !this.continueOnFail()) {
		throw new NodeApiError(node, { message: report.halted } as never, {
			message: `Sending through ${entry.displayName} stopped: ${report.halted}`,
			description: 'Nothing was sent, and no message was remembered in the duplicate memory, so a later run sends them all.',
		});
	}

	return results(report);
}
