import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Block, LiquidSettings, TemplateFormat, TemplateInput } from '../../engines/render';
import { isOneClickUnsubscribeUrl, unsubscribeUrlProblem } from '../../engines/dispatch/engine';
import { perVersion } from '../../shared/versions';

export const STARTER_MJML = `<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-family="Helvetica, Arial, sans-serif">Hi {{ profile.first_name | default: "there" }},</mj-text>
        {% render 'offer' %}
        <mj-text font-family="Helvetica, Arial, sans-serif" font-size="12px" color="#6b7280"><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

export const STARTER_BLOCKS = `[
  {
    "name": "offer",
    "rule": { "field": "profile.segment", "operator": "equals", "value": "vip" },
    "fallback": "offer_default",
    "content": "<mj-text font-family=\\"Helvetica, Arial, sans-serif\\">Your VIP early access starts today.</mj-text>"
  },
  {
    "name": "offer_default",
    "content": "<mj-text font-family=\\"Helvetica, Arial, sans-serif\\">Our new season is here.</mj-text>"
  }
]`;

/**
 * Version 1.1's starter (the default Body and Block Library of new nodes): it reads what this
 * package's nodes write, Customer Profile → Get Profile's `profile.traits.first_name` and Customer
 * Segments RFM's top-level `segment` (the offer goes to its Champions), and still the flat
 * `profile.first_name` / `profile.segment` ("vip" or "VIP") that version 1's starter reads.
 */
export const STARTER_MJML_V11 = STARTER_MJML.replace(
	'{{ profile.first_name | default: "there" }}',
	'{{ profile.traits.first_name | default: profile.first_name | default: "there" }}',
);

export const STARTER_BLOCKS_V11 = STARTER_BLOCKS.replace(
	'"rule": { "field": "profile.segment", "operator": "equals", "value": "vip" }',
	'"rule": "segment == \\"Champions\\" or profile.segment == \\"vip\\" or profile.segment == \\"VIP\\""',
);

/** Parameters both operations use (shown for Render and Lint). */
export const templateProperties: INodeProperties[] = [
	{
		displayName: 'Template Format',
		name: 'format',
		type: 'options',
		default: 'mjml',
		options: [
			{ name: 'MJML', value: 'mjml', description: 'Responsive email markup, compiled to HTML once per template' },
			{ name: 'HTML', value: 'html', description: 'Ready-made email HTML (no compile step)' },
		],
		description: 'Language of the body and of the blocks, both with Liquid',
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		placeholder: '{{ profile.first_name | default: "Hi" }}, new picks for you',
		description: 'Subject line, with Liquid (plain text: not HTML-escaped)',
	},
	{
		displayName: 'Preheader',
		name: 'preheader',
		type: 'string',
		default: '',
		placeholder: 'Fresh arrivals picked for you',
		description: 'Preview text inboxes show after the subject, with Liquid. Added as a hidden line at the top of the email unless the template has its own preview line (an mj-preview, or an element of class preheader, with content).',
	},
	// Version 1.1's starter reads Get Profile's and RFM's fields (see STARTER_MJML_V11).
	...perVersion(
		{
			displayName: 'Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 12 },
			default: STARTER_MJML,
			noDataExpression: true,
			description: "The email: MJML or HTML with Liquid. Include blocks with {% render 'block-name' %}.",
		},
		{ 1: STARTER_MJML, 1.1: STARTER_MJML_V11 },
	),
	...perVersion(
		{
			displayName: 'Block Library',
			name: 'blocks',
			type: 'json',
			default: STARTER_BLOCKS,
			noDataExpression: true,
			description:
				'Reusable blocks as a JSON array: {"name", "content", "rule" (optional: a Liquid condition such as "cart.items.size > 0", or {"field", "operator", "value"}), "fallback" (optional: the block shown instead)}',
		},
		{ 1: STARTER_BLOCKS, 1.1: STARTER_BLOCKS_V11 },
	),
	{
		displayName: 'Defaults',
		name: 'defaults',
		type: 'json',
		default: '{}',
		description: 'Values used when the recipient data lacks them, as JSON, e.g. {"profile": {"first_name": "there"}}',
	},
	{
		displayName: 'Recipient Data Field',
		name: 'dataField',
		type: 'string',
		default: '',
		placeholder: 'e.g. customer',
		description: 'Dot path of the field that holds the recipient data. Leave empty to use the whole item.',
	},
	{
		displayName: 'Unsubscribe URL',
		name: 'unsubscribeUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/unsubscribe?e={{ encodeURIComponent($json.email || $json.profile?.email) }}',
		description:
			"The recipient's unsubscribe link (https), usually an n8n expression (JavaScript in {{ }}, not Liquid). Put {{ unsubscribe_url }} in the email where the link goes; ESP Dispatch also uses it for the inbox's one-click Unsubscribe button. Prefer a per-recipient token to the bare address. Leave empty to use unsubscribe_url from the recipient data.",
	},
];

export const liquidOptions: INodeProperties[] = [
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		description: 'ISO 4217 code the money filter uses when a value does not name its currency',
	},
	{
		displayName: 'Escape HTML in Values',
		name: 'escapeHtml',
		type: 'boolean',
		default: true,
		description:
			'Whether to HTML-escape every {{ value }} (protects the email from markup in names and products). Turn off only for trusted data; a single value can opt out with | raw.',
	},
	{
		displayName: 'Locale',
		name: 'locale',
		type: 'string',
		default: 'en-US',
		description: 'Locale for money and format_date, e.g. fr-FR',
	},
	{
		displayName: 'Memory Limit',
		name: 'memoryLimit',
		type: 'number',
		default: 10000000,
		description: 'Allocation budget for one recipient (ranges, loops, joins). A runaway template fails that recipient.',
	},
	{
		displayName: 'Parse Limit',
		name: 'parseLimit',
		type: 'number',
		default: 1000000,
		description: 'Maximum template length in characters',
	},
	{
		displayName: 'Render Time Limit (Ms)',
		name: 'renderLimitMs',
		type: 'number',
		default: 500,
		description: 'Milliseconds one recipient may take to render; a runaway loop fails that recipient with a clear error',
	},
	{
		displayName: 'Strict Mode',
		name: 'strict',
		type: 'boolean',
		default: false,
		description: 'Whether a missing value fails the recipient. Off: missing values render empty, | default and Defaults apply, rules fall back.',
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: 'UTC',
		description: 'IANA time zone for the date and format_date filters, e.g. Europe/Paris',
	},
	{
		displayName: 'UTM Campaign',
		name: 'utmCampaign',
		type: 'string',
		default: '',
		description: 'Default utm_campaign of the utm filter',
	},
	{
		displayName: 'UTM Medium',
		name: 'utmMedium',
		type: 'string',
		default: 'email',
		description: 'Default utm_medium of the utm filter',
	},
	{
		displayName: 'UTM Source',
		name: 'utmSource',
		type: 'string',
		default: 'email',
		description: 'Default utm_source of the utm filter',
	},
];

/** The JSON parameters as the editor shows them (errors name the field the user sees). */
const JSON_PARAMETER_LABELS: Record<string, string> = { blocks: 'Block Library', defaults: 'Defaults', sample: 'Sample Recipient' };

export function parseJsonParameter(ctx: IExecuteFunctions, name: string, i: number, fallback: unknown): unknown {
	const raw = ctx.getNodeParameter(name, i, fallback) as unknown;
	if (typeof raw !== 'string') return raw ?? fallback;
	if (!raw.trim()) return fallback;
	try {
		return JSON.parse(raw);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "${JSON_PARAMETER_LABELS[name] ?? name}" is not valid JSON (${(error as Error).message})`, { itemIndex: i });
	}
}

function limitOption(v: unknown): number | undefined {
	return v === undefined || v === null || v === '' ? undefined : (v as number);
}

export function readTemplate(ctx: IExecuteFunctions, i: number): { input: TemplateInput; defaults: Record<string, unknown> } {
	const format = ctx.getNodeParameter('format', i, 'mjml') as TemplateFormat;
	const blocks = parseJsonParameter(ctx, 'blocks', i, []);
	if (!Array.isArray(blocks)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Block Library" must be a JSON array of blocks`, { itemIndex: i });
	}
	const defaults = parseJsonParameter(ctx, 'defaults', i, {});
	if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Defaults" must be a JSON object`, { itemIndex: i });
	}
	const o = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const liquid: LiquidSettings = {
		escapeHtml: o.escapeHtml === undefined ? true : Boolean(o.escapeHtml),
		strict: Boolean(o.strict),
		locale: (o.locale as string) || undefined,
		timeZone: (o.timeZone as string) || undefined,
		currency: (o.currency as string) || undefined,
		utm: { source: (o.utmSource as string) || undefined, medium: (o.utmMedium as string) || undefined, campaign: (o.utmCampaign as string) || undefined },
		// a number set in Options is passed as it is: 0 or below is refused by name (check settings), not replaced by the default
		renderLimitMs: limitOption(o.renderLimitMs),
		parseLimit: limitOption(o.parseLimit),
		memoryLimit: limitOption(o.memoryLimit),
	};
	return {
		input: {
			format,
			body: ctx.getNodeParameter('body', i, '') as string,
			subject: ctx.getNodeParameter('subject', i, '') as string,
			preheader: ctx.getNodeParameter('preheader', i, '') as string,
			blocks: blocks as Block[],
			liquid,
		},
		defaults: defaults as Record<string, unknown>,
	};
}

/**
 * Item i's Unsubscribe URL (trimmed), or undefined when it is empty. It must be what ESP Dispatch
 * accepts for List-Unsubscribe-Post (RFC 8058: https, no white space or angle brackets), so a bad
 * value fails here, at the item, rather than at the send.
 */
export function readUnsubscribeUrl(ctx: IExecuteFunctions, i: number): string | undefined {
	const raw = ctx.getNodeParameter('unsubscribeUrl', i, '') as unknown;
	const url = raw === undefined || raw === null ? '' : String(raw).trim();
	if (!url) return undefined;
	if (!isOneClickUnsubscribeUrl(url)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Unsubscribe URL" must be an https:// URL without spaces: it ${unsubscribeUrlProblem(url)}`, {
			itemIndex: i,
			description:
				'Field: Unsubscribe URL. Inboxes show a one-click unsubscribe only for an https link (RFC 8058), and ESP Dispatch puts this URL in List-Unsubscribe. Encode values you add to it, e.g. {{ encodeURIComponent($json.email) }}.',
		});
	}
	return url;
}

/** The template data with the Unsubscribe URL as `unsubscribe_url` (it wins over the data's own). */
export function withUnsubscribeUrl(data: Record<string, unknown>, url: string | undefined): Record<string, unknown> {
	return url === undefined ? data : { ...data, unsubscribe_url: url };
}

export function readData(ctx: IExecuteFunctions, json: IDataObject, i: number): Record<string, unknown> {
	const field = (ctx.getNodeParameter('dataField', i, '') as string).trim();
	if (!field) return json;
	let current: unknown = json;
	for (const key of field.split('.')) {
		if (typeof current !== 'object' || current === null) {
			current = undefined;
			break;
		}
		current = (current as Record<string, unknown>)[key];
	}
	if (typeof current !== 'object' || current === null || Array.isArray(current)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: field "${field}" does not hold the recipient data (an object)`, {
			itemIndex: i,
			description: 'Set "Recipient Data Field" to the field holding the profile, event and recommendations, or leave it empty to use the whole item.',
		});
	}
	return current as Record<string, unknown>;
}
