/**
 * Mailgun messages API (POST /v3/{domain}/messages, US api.mailgun.net or EU api.eu.mailgun.net).
 * https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
 *
 * Batch shape (both modes): one request carries up to 1,000 recipients as repeated `to` fields
 * plus `recipient-variables`, so Mailgun sends each recipient an individual message
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending:
 * "The maximum number of recipients allowed for batch is 1,000"). Values that are the same for
 * every message of the batch are sent literally; values that differ (subject, html, text,
 * header values, `v:` attribution variables, scalar template variables) go into each
 * recipient's recipient-variables and are referenced as `%recipient.pz_…%`, which Mailgun
 * replaces "virtually anywhere in the message (including header fields and other parameters)"
 * — the same indirection django-anymail uses for per-recipient headers, metadata and template
 * data (https://github.com/anymail/django-anymail/blob/main/anymail/backends/mailgun.py,
 * issue #374).
 *
 * Messages share a batch only when their sender, reply-to, tags, template, options, the set
 * of header names and metadata keys, and any non-scalar template variables are equal, and (template
 * mode) when the X-Mailgun-Variables header with their template variables fits on one line
 * (fitsInBatch); a recipient address appears at most once per batch (recipient-variables are keyed
 * by address).
 * Requests stay under 20 MB (Mailgun's maximum message size is 25 MB). The body is
 * multipart/form-data, which Mailgun accepts as well as form-urlencoded, so HTML is not
 * percent-encoded (2–3× larger).
 *
 * Attribution: `v:pz_*` user variables (returned by Mailgun webhooks as `user-variables`), the
 * recipient's userId (`pz_user_id`) among them within the limit of customVariables;
 * `o:tag` for the first 3 tags ("A single message may be marked with up to 3 tags",
 * https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/track-tagging).
 * Mailgun accepts no idempotency key.
 *
 * A request answered 400 for one address in `to` Mailgun does not accept (INVALID_TO) sent nothing
 * and names no address: its messages are sent again in halves, down to one (sendAgain), so only
 * that message fails. A 404 "Domain not found" (the credential's domain is not the account's)
 * stops the run (DOMAIN_NOT_FOUND); a 401 "Forbidden" (bad key) is a rejected credential.
 */
import type {
	DispatchMode,
	EspProvider,
	HttpResponseSpec,
	MessageProblem,
	MessageResult,
	OutboundMessage,
	ProviderSettings,
	RequestPlan,
} from '../types';
import {
	allSame,
	chunk,
	describeError,
	failAll,
	formatAddress,
	groupBy,
	sha256Hex,
	stableJson,
} from './batch-helpers';
import { fitsHeaderLine, headerJsonMetadata, headerJsonProblem, isRecord, parseJson, refusedForOthers, stringSetting, trimSlash } from '../util';
import { encodeVariableValue } from '../../types/attribution';

export const MAILGUN_MAX_RECIPIENTS = 1000;
export const MAILGUN_MAX_TAGS = 3;
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
/** The header Mailgun writes a message's custom variables into, as JSON. */
export const MAILGUN_VARIABLES_HEADER = 'X-Mailgun-Variables';

export const MAILGUN_BASE_URLS = {
	us: 'https://api.mailgun.net',
	eu: 'https://api.eu.mailgun.net',
} as const;

export function mailgunBaseUrl(settings: ProviderSettings): string {
	const override = stringSetting(settings, 'baseUrl');
	if (override) return trimSlash(override);
	return stringSetting(settings, 'region', 'us') === 'eu' ? MAILGUN_BASE_URLS.eu : MAILGUN_BASE_URLS.us;
}

function isScalar(value: unknown): value is string | number | boolean | null {
	return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * The message's custom variables (`v:`). Mailgun documents no length limit for them; it writes them
 * as JSON into the X-Mailgun-Variables header of the delivered email ("the X-Mailgun-Variables
 * header will be included in the MIME of the delivered email",
 * https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-attachments,
 * "Attaching Metadata to Messages"). So the recipient's userId goes in only while
 * `X-Mailgun-Variables: <JSON>` fits on one header line (RFC 5322, fitsHeaderLine), else it is left
 * out; a message whose line is too long even without it is not sent (check, headerJsonProblem).
 * Mailgun documents neither how it encodes non-ASCII text in that header nor whether it
 * escapes it (a JSON `\u` escape is 6 characters for a character of 2 or 3 UTF-8 bytes, which would
 * break the line count), so any value (userId, campaign, variant, segment, experiment, message id)
 * that is not printable ASCII, or holds `"` or `\`, is written `b64-` + base64url (as for Brevo):
 * the header is then ASCII and its length known. Mailgun takes a `v:` value as JSON, so a value
 * that is JSON text reading as another value (`1e3`, `1.0`, `true`, `{…}`) is written so too
 * (encodeVariableValue); `123` stays. The Mailgun engagement source decodes them.
 */
function customVariables(message: OutboundMessage): Record<string, string> {
	return headerJsonMetadata(message.metadata, MAILGUN_VARIABLES_HEADER, encodeVariableValue);
}

/**
 * A template variable's value as a batch's `v:` field gives it to the recipient (buildBody: the
 * literal when shared, else the `%recipient.…%` reference Mailgun replaces with this same text).
 */
function templateVariableText(value: unknown): string {
	return value === null || value === undefined ? '' : isScalar(value) ? String(value) : JSON.stringify(value);
}

/** JSON text with every non-ASCII character as a `\u` escape: the longest form Mailgun may write a value in. */
function asciiJson(value: string): string {
	return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether a template message can go in a batch: there its template variables are `v:` fields too
 * (buildBody), and Mailgun writes every `v:` value into X-Mailgun-Variables, so that header holds
 * the `pz_*` variables (customVariables, the userId included when kept) and each template variable
 * as this recipient's value (templateVariableText, after %recipient.…% substitution). It must fit
 * on one header line (fitsHeaderLine), counted at its longest: each value a JSON string with
 * non-ASCII characters as `\u` escapes (Mailgun documents neither whether it escapes them nor
 * whether it reads a value as JSON, which is never longer), both keys kept when a template variable
 * has the name of a `pz_*` one. A message that does not fit is sent alone, its template variables
 * in `t:variables` (Mailgun's template-data parameter, as for every message sent alone), so its
 * header holds the `pz_*` variables only: not batched rather than its userId left out or refused.
 */
function fitsInBatch(message: OutboundMessage, custom: Record<string, string>): boolean {
	const entries = [...Object.entries(custom), ...Object.entries(message.variables ?? {}).map(([key, value]) => [key, templateVariableText(value)])];
	return fitsHeaderLine(MAILGUN_VARIABLES_HEADER, `{${entries.map(([key, value]) => `${asciiJson(key)}:${asciiJson(value)}`).join(',')}}`);
}

function groupKey(message: OutboundMessage, mode: DispatchMode, custom: Record<string, string>): string {
	const variables = message.variables ?? {};
	const complex: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(variables)) if (!isScalar(value)) complex[key] = value;
	return stableJson([
		message.from,
		message.replyTo ?? null,
		(message.tags ?? []).slice(0, MAILGUN_MAX_TAGS),
		message.options ?? {},
		Object.keys(message.headers).sort(),
		Object.keys(custom).sort(),
		mode === 'template' ? [message.templateId, Object.keys(variables).sort(), complex] : null,
		[message.subject !== undefined, message.html !== undefined, message.text !== undefined],
	]);
}

function estimateBytes(message: OutboundMessage): number {
	// Multipart carries values as they are; JSON escaping in recipient-variables adds a little.
	const raw = stableJson([message.subject, message.html, message.text, message.headers, message.metadata, message.variables]);
	return Math.ceil(Buffer.byteLength(raw, 'utf8') * 1.2) + 300;
}

/** Text fields serialised as multipart/form-data (RFC 7578): no percent-encoding blow-up of HTML. */
class Form {
	readonly fields: Array<[string, string]> = [];

	append(name: string, value: string): void {
		this.fields.push([name, value]);
	}

	encode(seed: string): { body: string; contentType: string } {
		let boundary = `pz-${sha256Hex(seed).slice(0, 32)}`;
		for (let n = 1; this.fields.some(([k, v]) => v.includes(boundary) || k.includes(boundary)); n++) {
			boundary = `pz-${sha256Hex(`${seed}#${n}`).slice(0, 32)}`;
		}
		const parts = this.fields.map(
			([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22').replace(/[\r\n]/g, ' ')}"\r\n\r\n${value}\r\n`,
		);
		return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
	}
}

function buildBody(messages: OutboundMessage[], mode: DispatchMode, variablesOf: Map<OutboundMessage, Record<string, string>>): { body: string; contentType: string } {
	const first = messages[0];
	const form = new Form();
	const batch = messages.length > 1;
	const recipientVariables: Record<string, Record<string, string>> = {};
	for (const m of messages) recipientVariables[m.to.email] = {};

	/** Adds a field: literal when the same for all, else a %recipient.…% reference. */
	const add = (field: string, varName: string, pick: (m: OutboundMessage) => string | undefined) => {
		const values = messages.map(pick);
		if (values.every((v) => v === undefined)) return;
		if (!batch || allSame(messages, pick)) {
			form.append(field, values[0] ?? '');
			return;
		}
		form.append(field, `%recipient.${varName}%`);
		messages.forEach((m, i) => {
			const value = values[i] ?? '';
			recipientVariables[m.to.email][varName] = value;
		});
	};

	form.append('from', formatAddress(first.from));
	for (const m of messages) form.append('to', formatAddress(m.to));
	if (first.replyTo) form.append('h:Reply-To', formatAddress(first.replyTo));
	add('subject', 'pz_subject', (m) => m.subject);
	if (mode === 'template') {
		form.append('template', first.templateId ?? '');
		if (!batch) {
			form.append('t:variables', JSON.stringify(first.variables ?? {}));
		} else {
			// Batch: the stored (Handlebars) template reads Mailgun's custom data, and each
			// recipient's values come through recipient-variables: `v:name` = `%recipient.name%`
			// (the mapping django-anymail uses for per-recipient template data; Handlebars still
			// escapes {{name}} as usual). Shared values are sent literally; objects and arrays are
			// shared within a batch (they are part of the grouping key) and sent as JSON.
			// Every recipient's header then holds these values too (fitsInBatch counts them).
			for (const [key, value] of Object.entries(first.variables ?? {})) {
				const pick = (m: OutboundMessage) => (m.variables ?? {})[key];
				if (!isScalar(value) || allSame(messages, pick)) {
					form.append(`v:${key}`, templateVariableText(value));
					continue;
				}
				const varName = `pz_t_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
				form.append(`v:${key}`, `%recipient.${varName}%`);
				for (const m of messages) recipientVariables[m.to.email][varName] = templateVariableText(pick(m));
			}
		}
	} else {
		add('html', 'pz_html', (m) => m.html);
		add('text', 'pz_text', (m) => m.text);
	}
	Object.keys(first.headers).forEach((name, i) => add(`h:${name}`, `pz_h${i}`, (m) => m.headers[name]));
	for (const tag of (first.tags ?? []).slice(0, MAILGUN_MAX_TAGS)) form.append('o:tag', tag);
	for (const key of Object.keys(variablesOf.get(first)!)) add(`v:${key}`, `pz_v_${key}`, (m) => variablesOf.get(m)![key]);
	for (const [key, value] of Object.entries(first.options ?? {})) {
		if (/^(o|h|v):/.test(key) && value !== undefined && value !== null) form.append(key, String(value));
	}
	// Recipient variables are what makes Mailgun send one message per recipient (batch sending).
	if (batch) form.append('recipient-variables', JSON.stringify(recipientVariables));
	return form.encode(messages.map((m) => m.idempotencyKey).join('\n'));
}

/**
 * Mailgun's answer to a request with an address in `to` it does not accept: 400 "'to' parameter is
 * not a valid address. please check documentation" (https://github.com/mailgun/mailgun-js-boland/issues/199,
 * a maintainer: "a response from mailgun API when you use an invalid email in the to parameter"). The
 * whole request is refused and the address not named; with 1,000 recipients per request one such
 * address would fail them all.
 */
const INVALID_TO = /'to' parameter is not a valid address/i;

/**
 * Mailgun's answer when the credential's sending domain (the `{domain}` of the URL) is not one of
 * the account's: 404 `{"message": "Domain not found: <domain>"}` (https://gist.github.com/shanepinnell/5127162;
 * "404 Resource not found", https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses).
 * Every request of the run goes to that same domain, so none would be sent: the run stops
 * (stopsRun), naming the domain, instead of failing every request the same way.
 */
const DOMAIN_NOT_FOUND = /^domain not found\b/i;

export const mailgun: EspProvider = {
	id: 'mailgun',
	displayName: 'Mailgun',
	maxBatch: { rendered: MAILGUN_MAX_RECIPIENTS, template: MAILGUN_MAX_RECIPIENTS },
	acceptsIdempotencyKey: false,

	/**
	 * The attribution must fit on one X-Mailgun-Variables line (customVariables). Template variables
	 * never make a message fail here: one that would not fit beside them in a batch is sent alone
	 * (fitsInBatch).
	 */
	check(message: OutboundMessage): MessageProblem | undefined {
		return headerJsonProblem(message.metadata, MAILGUN_VARIABLES_HEADER, encodeVariableValue);
	},

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const domain = stringSetting(settings, 'domain');
		if (!domain) throw new Error('Mailgun needs a sending domain (set "Domain" in the Mailgun credential)');
		const url = `${mailgunBaseUrl(settings)}/v3/${encodeURIComponent(domain)}/messages`;
		const plans: RequestPlan[] = [];
		const variablesOf = new Map(messages.map((m) => [m, customVariables(m)]));
		// A template message whose header would be over one line in a batch is sent alone (fitsInBatch).
		let alone = 0;
		const key = (m: OutboundMessage) => (mode === 'template' && !fitsInBatch(m, variablesOf.get(m)!) ? `alone:${alone++}` : groupKey(m, mode, variablesOf.get(m)!));
		for (const group of groupBy(messages, key)) {
			for (const part of chunk(group, MAILGUN_MAX_RECIPIENTS, {
				maxBytes: MAX_REQUEST_BYTES,
				size: estimateBytes,
				uniqueRecipients: true,
			})) {
				const { body, contentType } = buildBody(part, mode, variablesOf);
				plans.push({
					request: { method: 'POST', url, headers: { 'content-type': contentType, accept: 'application/json' }, body },
					messages: part,
				});
			}
		}
		return plans;
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		if (response.status >= 200 && response.status < 300) {
			const parsed = parseJson(response.body);
			const id = isRecord(parsed) && typeof parsed.id === 'string' ? parsed.id.replace(/^<|>$/g, '') : undefined;
			// "Queued. Thank you." — Mailgun accepted the batch; one id covers all its recipients.
			return plan.messages.map((m) => ({
				index: m.index,
				status: 'queued',
				responseCode: response.status,
				...(id ? { providerMessageId: id } : {}),
			}));
		}
		const error = describeError(response, ['message']);
		if (response.status === 400 && plan.messages.length > 1 && INVALID_TO.test(error)) {
			// Mailgun refused the whole batch (it sends nothing of it) for one address in `to` without
			// saying which: the messages are sent again in halves, down to one, so only that one fails.
			return plan.messages.map((m) => refusedForOthers(m, 400, `Mailgun refused the whole request of ${plan.messages.length} recipients without naming the address at fault: ${error}`));
		}
		if (response.status === 404 && DOMAIN_NOT_FOUND.test(messageOf(response))) {
			const stopsRun = `Mailgun does not know the credential's sending domain (${error.slice(0, 120)}): check its Domain and Region (a domain made in the EU region exists only at api.eu.mailgun.net); the rest of this run was not sent`;
			return failAll(plan, response, error, false).map((r) => ({ ...r, stopsRun }));
		}
		return failAll(plan, response, error);
	},
};

/** The `message` of a Mailgun JSON error body, or ''. */
function messageOf(response: HttpResponseSpec): string {
	const parsed = parseJson(response.body);
	return isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message.trim() : '';
}
