/**
 * Render engine types: templates (MJML or HTML + Liquid), the block library with display rules
 * and fallbacks, per-recipient results and lint findings. Plain data: no n8n imports.
 */

export type TemplateFormat = 'mjml' | 'html';

/** Structured display rule: `field` is a dot path into the recipient data. */
export interface StructuredRule {
	field: string;
	operator: RuleOperator;
	/**
	 * Compared value: a number or text; a list for `in`/`notIn` (anything else is refused when the
	 * library is read); days for `withinDays`/`olderThanDays`. For `gt`/`gte`/`lt`/`lte` an ISO date
	 * (`2024-01-01`, a date-time without a zone being UTC) on either side compares both as moments.
	 * Values are read as rules/compare.ts says (shared with Customer Segments).
	 */
	value?: unknown;
}

export type RuleOperator =
	| 'exists'
	| 'notExists'
	| 'isEmpty'
	| 'isNotEmpty'
	| 'equals'
	| 'notEquals'
	| 'contains'
	| 'notContains'
	| 'in'
	| 'notIn'
	| 'gt'
	| 'gte'
	| 'lt'
	| 'lte'
	| 'withinDays'
	| 'olderThanDays';

/** One named, reusable content block. */
export interface Block {
	name: string;
	/** MJML (for MJML templates) or HTML, with Liquid. */
	content: string;
	/**
	 * When to show the block: a Liquid condition (e.g. `cart.items.size > 0`), a structured rule,
	 * or a list of structured rules that must all hold. No rule: always shown.
	 */
	rule?: string | StructuredRule | StructuredRule[];
	/** Block rendered instead when the rule does not hold or its data is missing. */
	fallback?: string;
}

export interface LiquidSettings {
	/** HTML-escape every `{{ }}` output (default true). `| raw` opts one output out. */
	escapeHtml?: boolean;
	/** A missing variable fails the recipient (default false: it renders empty / uses `default`). */
	strict?: boolean;
	/** BCP 47 locale for `money` and `format_date` (default en-US). */
	locale?: string;
	/** IANA time zone for `date` and `format_date` (default UTC). */
	timeZone?: string;
	/** ISO 4217 currency for `money` when the value does not say (default USD). */
	currency?: string;
	/** Defaults for the `utm` filter. */
	utm?: { source?: string; medium?: string; campaign?: string };
	/** Milliseconds one recipient may take to render (default 500). */
	renderLimitMs?: number;
	/** Template characters one parse may read (default 1,000,000). */
	parseLimit?: number;
	/** Allocation budget of one render: loops, ranges, joins (default 10,000,000). */
	memoryLimit?: number;
}

export interface TemplateInput {
	format: TemplateFormat;
	/** Body: MJML (`<mjml>…</mjml>`) or HTML, with Liquid and `{% render 'block' %}`. */
	body: string;
	subject?: string;
	preheader?: string;
	blocks?: Block[];
	liquid?: LiquidSettings;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
	severity: Severity;
	/** Machine name of the check, e.g. `liquid-syntax`, `image-alt`. */
	check: string;
	message: string;
	/** Where: `body`, `subject`, `preheader` or `block:<name>`. */
	source?: string;
	line?: number;
	column?: number;
}

export interface RenderResult {
	subject: string;
	preheader: string;
	html: string;
	text: string;
	size_bytes: number;
	blocks_shown: string[];
	warnings: string[];
}

/** Errors the engine raises: the message names the source, line and what to write instead. */
export class TemplateError extends Error {
	constructor(
		message: string,
		readonly details: { check: string; source?: string; line?: number; column?: number; hint?: string } = { check: 'template' },
	) {
		super(message);
		this.name = 'TemplateError';
	}
}
