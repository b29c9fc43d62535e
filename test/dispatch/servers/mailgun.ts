/**
 * A local Mailgun-compatible messages API that enforces the documented request rules and
 * answers with Mailgun's documented bodies.
 *
 * Rules and where they come from:
 *  - POST /v3/{domain}/messages, HTTP Basic auth with user "api" and the API key; a bad key
 *    gets 401 "Forbidden".
 *    https://documentation.mailgun.com/docs/mailgun/api-reference/authentication
 *  - body is multipart/form-data or application/x-www-form-urlencoded; `from`, `to` and one of
 *    `text`, `html` or `template` are required, `subject` unless a template is used.
 *    https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
 *  - at most 1,000 recipients per batch; recipient-variables is a JSON dictionary keyed by
 *    address, and each recipient then gets an individual message with %recipient.x% replaced.
 *    https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending
 *  - at most 3 o:tag values per message (extra tags are not accepted here).
 *    https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/track-tagging
 *    ("A single message may be marked with up to 3 tags"; Mailgun's help centre now says 10: we keep 3)
 *  - 25 MB maximum message size.
 *    https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages
 *  - `v:` custom variables are JSON (X-Mailgun-Variables "must be in JSON map format", whose
 *    example `{"my_message_id": 123}` carries a number; whether a `v:` form value that is JSON text
 *    is read as JSON is undocumented, so this server assumes the worst): `userVariables` is what a webhook's
 *    `user-variables` then holds, each value read as JSON when it is JSON text (`1e3` → 1000,
 *    `true` → true), else the text itself.
 *    https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-attachments
 *  - one invalid address in `to` refuses the whole request (nothing is sent, the address is not
 *    named): 400 {"message": "'to' parameter is not a valid address. please check documentation"},
 *    Mailgun's answer as its maintainers quote it (https://github.com/mailgun/mailgun-js-boland/issues/199,
 *    https://github.com/mbouclas/loopback-connector-mailgun/issues/5: a batch with recipient-variables).
 *  - success: 200 {"id": "<…@domain>", "message": "Queued. Thank you."}; errors: 400
 *    {"message": …}, 401 Forbidden, 429 (rate limits) and 5xx.
 *  - a sending domain the account does not have (only when the server is given `domains`):
 *    404 {"message": "Domain not found: <domain>"}, as Mailgun answers it
 *    (https://gist.github.com/shanepinnell/5127162; 404 "Resource not found",
 *    https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses).
 */
import { basic, nextId, parseBasic, parseForm, parseMultipart, startProviderServer, type ProviderServer, type Reply } from './provider-server';

export const MAILGUN_TEST_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';

export interface MailgunDelivered {
	messageId: string;
	domain: string;
	from: string;
	to: string;
	subject?: string;
	html?: string;
	text?: string;
	template?: string;
	templateVariables?: Record<string, unknown>;
	headers: Record<string, string>;
	/** The `v:` values as sent (after %recipient.x% substitution). */
	variables: Record<string, string>;
	/** The `v:` values as Mailgun reads them (JSON text as JSON): a webhook's `user-variables`. */
	userVariables: Record<string, unknown>;
	tags: string[];
}

/** A `v:` value as Mailgun reads it: JSON text as the JSON value, any other text as it is. */
function asJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export interface MailgunServer extends ProviderServer {
	delivered: MailgunDelivered[];
	/** The account's sending domains; undefined: every domain is the account's. */
	domains: Set<string> | undefined;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
	status,
	headers,
	body: JSON.stringify(body),
});

/** An addr-spec with a domain of two or more non-empty labels, none starting or ending with a hyphen. */
function validAddress(address: string): boolean {
	const at = address.lastIndexOf('@');
	if (at <= 0) return false;
	const labels = address.slice(at + 1).split('.');
	return labels.length >= 2 && labels.every((label) => /^[^\s.@-](?:[^\s.@]*[^\s.@-])?$/.test(label));
}

export function mailgunFault(status: number): Reply {
	if (status === 401) return { status, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' };
	if (status === 429) return json(429, { message: 'Too many requests' });
	if (status >= 500) return json(status, { message: 'Internal Server Error' });
	return json(status, { message: 'Bad request' });
}

function substitute(text: string, variables: Record<string, unknown>): string {
	return text.replace(/%recipient\.([A-Za-z0-9_-]+)%/g, (_m, name: string) => {
		const value = variables[name];
		return value === undefined || value === null ? '' : String(value);
	});
}

export async function startMailgunServer(apiKey = MAILGUN_TEST_KEY): Promise<MailgunServer> {
	const delivered: MailgunDelivered[] = [];
	const account: { domains: Set<string> | undefined } = { domains: undefined };
	const server = await startProviderServer((request) => {
		const match = /^\/v3\/([^/]+)\/messages$/.exec(request.path);
		if (request.method !== 'POST' || !match) return json(404, { message: 'Not Found' });
		const auth = parseBasic(request.headers.authorization);
		if (!auth || auth.user !== 'api' || auth.password !== apiKey) {
			return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' };
		}
		if (account.domains && !account.domains.has(decodeURIComponent(match[1]))) return json(404, { message: `Domain not found: ${decodeURIComponent(match[1])}` });
		if (Buffer.byteLength(request.body) > 25 * 1024 * 1024) return json(413, { message: 'Message size exceeds 25MB' });
		const contentType = String(request.headers['content-type'] ?? '');
		let form: Map<string, string[]>;
		if (contentType.startsWith('application/x-www-form-urlencoded')) form = parseForm(request.body);
		else if (contentType.startsWith('multipart/form-data')) form = parseMultipart(request.body, contentType);
		else return json(400, { message: 'Unsupported content type' });
		const one = (name: string) => form.get(name)?.[0];
		const from = one('from');
		const to = form.get('to') ?? [];
		if (!from) return json(400, { message: "'from' parameter is missing" });
		if (to.length === 0) return json(400, { message: "'to' parameter is missing" });
		if (to.length > 1000) return json(400, { message: "'to' parameter can't contain more than 1000 recipients" });
		// One invalid address refuses the whole request, without naming it, and nothing is sent.
		if (to.some((recipient) => !validAddress(/<([^>]+)>\s*$/.exec(recipient)?.[1] ?? recipient))) {
			return json(400, { message: "'to' parameter is not a valid address. please check documentation" });
		}
		const template = one('template');
		if (!one('text') && !one('html') && !template) {
			return json(400, { message: "Need at least one of 'text', 'html' or 'template' parameters specified" });
		}
		if (!template && !one('subject')) return json(400, { message: "'subject' parameter is missing" });
		if ((form.get('o:tag') ?? []).length > 3) return json(400, { message: 'Too many tags: at most 3 o:tag values' });
		let recipientVariables: Record<string, Record<string, unknown>> | undefined;
		const rv = one('recipient-variables');
		if (rv !== undefined) {
			try {
				recipientVariables = JSON.parse(rv) as Record<string, Record<string, unknown>>;
			} catch {
				return json(400, { message: "'recipient-variables' parameter is not a valid JSON" });
			}
		}
		let templateVariables: Record<string, unknown> | undefined;
		const tv = one('t:variables');
		if (tv !== undefined) {
			try {
				templateVariables = JSON.parse(tv) as Record<string, unknown>;
			} catch {
				return json(400, { message: "'t:variables' parameter is not a valid JSON" });
			}
		}
		const domain = decodeURIComponent(match[1]);
		const id = `${nextId()}.${Math.floor(Math.random() * 1e6)}@${domain}`;
		// With recipient variables each recipient gets its own message; without, one message to all.
		const recipients = recipientVariables ? to : [to.join(', ')];
		for (const recipient of recipients) {
			const address = /<([^>]+)>\s*$/.exec(recipient)?.[1] ?? recipient;
			const vars = recipientVariables?.[address] ?? {};
			const sub = (text: string | undefined) => (text === undefined ? undefined : substitute(text, vars));
			const headers: Record<string, string> = {};
			const variables: Record<string, string> = {};
			for (const [key, values] of form) {
				if (key.startsWith('h:')) headers[key.slice(2)] = sub(values[0]) ?? '';
				if (key.startsWith('v:')) variables[key.slice(2)] = sub(values[0]) ?? '';
			}
			delivered.push({
				messageId: id,
				domain,
				from,
				to: recipient,
				subject: sub(one('subject')),
				html: sub(one('html')),
				text: sub(one('text')),
				template,
				templateVariables: templateVariables
					? Object.fromEntries(Object.entries(templateVariables).map(([k, v]) => [k, typeof v === 'string' ? sub(v) : v]))
					: undefined,
				headers,
				variables,
				userVariables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, asJson(v)])),
				tags: form.get('o:tag') ?? [],
			});
		}
		return json(200, { id: `<${id}>`, message: 'Queued. Thank you.' });
	}, mailgunFault);
	return Object.defineProperty(Object.assign(server, { delivered }), 'domains', {
		get: () => account.domains,
		set: (value: Set<string> | undefined) => (account.domains = value),
		enumerable: true,
	}) as MailgunServer;
}

export const mailgunAuth = (apiKey = MAILGUN_TEST_KEY) => basic('api', apiKey);
