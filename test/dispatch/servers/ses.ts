/**
 * A local Amazon SES v2-compatible API (SendEmail, SendBulkEmail, GetAccount) that checks the
 * SigV4 signature and the documented request rules, and answers with SES's documented bodies.
 *
 *  - Every request is signed with SigV4 for service "ses": unknown access key → 403
 *    UnrecognizedClientException; wrong signature → 403 InvalidSignatureException; more than
 *    5 minutes of clock skew → 403 InvalidSignatureException "Signature expired".
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html and
 *    https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html
 *  - POST /v2/email/outbound-emails: FromEmailAddress, Destination and Content required; Simple
 *    content needs Subject and Body; Headers: Name printable ASCII without ":" ≤126, Value
 *    printable ASCII ≤870. → 400 BadRequestException.
 *    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html,
 *    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageHeader.html
 *  - POST /v2/email/outbound-bulk-emails: DefaultContent.Template and 1–50 BulkEmailEntries
 *    (the per-call maximum of SendBulkEmail). Answer: {"BulkEmailEntryResults": [{Status,
 *    MessageId, Error}]}, one per entry, in order.
 *    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendBulkEmail.html
 *  - ReplacementTemplateData (and DefaultContent TemplateData): at most 262,144 characters, else
 *    the whole call is refused (400 BadRequestException, as for any length constraint).
 *    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_ReplacementTemplate.html
 *  - Tags (EmailTags, ReplacementTags): Name and Value only ASCII letters, numbers, `_` or `-`,
 *    ≤256 characters. https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html
 *  - Errors carry `x-amzn-ErrorType` and a JSON body {"message": …}; 429 TooManyRequestsException.
 *  - Throttling (`throttleOnce`, one answer per listed recipient): the account over its maximum
 *    sending rate. SendEmail is refused whole, 400 ThrottlingException "Maximum sending rate
 *    exceeded." (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html,
 *    status from https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html);
 *    in SendBulkEmail the entry answers Status ACCOUNT_THROTTLED inside the 200 answer
 *    (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html).
 *  - Daily sending quota (`dailyQuota`: how many more messages the account may send): once that
 *    many were delivered, SendEmail is refused whole, 400 ThrottlingException "Daily message quota
 *    exceeded." (the same type as the rate's, told apart by the message:
 *    https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html), and a
 *    SendBulkEmail entry answers Status ACCOUNT_DAILY_QUOTA_EXCEEDED inside the 200 answer
 *    (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html; no Error
 *    text is documented for it, so none is given).
 *  - A malformed destination address refuses the whole call (SendEmail or SendBulkEmail), 400
 *    BadRequestException "Illegal address", without naming the entry (the answer as the SES v2 SDKs
 *    report it: https://github.com/awsdocs/aws-doc-sdk-examples/pull/5191).
 *  - Sandbox (`sandboxVerified` set): every recipient and the sender must be verified identities,
 *    else the whole call is refused, 400 MessageRejected "Email address is not verified. The
 *    following identities failed the check in region EU-WEST-1: a@b.c, d@e.f"
 *    (https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html).
 */
import { randomBytes } from 'node:crypto';
import { signV4 } from '../../../nodes/engines/dispatch/sigv4';
import { startProviderServer, type ProviderServer, type ReceivedRequest, type Reply } from './provider-server';

export const SES_TEST_CREDENTIALS = {
	accessKeyId: 'AKIDEXAMPLE',
	secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
	region: 'eu-west-1',
};

export interface SesDelivered {
	messageId: string;
	to: string;
	from: string;
	subject?: string;
	html?: string;
	text?: string;
	template?: string;
	templateData?: Record<string, unknown>;
	headers: Record<string, string>;
	tags: Record<string, string>;
}

export interface SesServer extends ProviderServer {
	delivered: SesDelivered[];
	/** Destination → BulkEmailEntryResult status to answer for it (partial failures). */
	entryFailures: Map<string, string>;
	templates: Set<string>;
	/** Recipients to throttle once each (see the header comment); removed as they are answered. */
	throttleOnce: Set<string>;
	/** When each request arrived (Date.now()), in order. */
	arrivals: Array<{ at: number; to: string[] }>;
	/** Sandbox: the verified identities (addresses); undefined: production access, any recipient. */
	sandboxVerified?: Set<string>;
	/** Messages the account may still send today (see the header comment); undefined: no limit. */
	dailyQuota?: number;
	/**
	 * A refusal SendEmail answers (HTTP 400, SES v2's error type and message), for every sender or only
	 * for `from` (a bare address): e.g. AccountSuspendedException, MailFromDomainNotVerifiedException.
	 */
	refusal?: { type: string; message: string; from?: string };
}

export const sesError = (status: number, type: string, message: string): Reply => ({
	status,
	headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, 'x-amzn-requestid': randomBytes(8).toString('hex') },
	body: JSON.stringify({ message }),
});

export function sesFault(status: number): Reply {
	if (status === 429) return sesError(429, 'TooManyRequestsException', 'Too many requests');
	if (status === 503) return sesError(503, 'ServiceUnavailable', 'Service Unavailable');
	if (status >= 500) return sesError(status, 'InternalFailure', 'The request processing has failed because of an unknown error.');
	return sesError(status, 'BadRequestException', 'Bad request');
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;

function checkSignature(request: ReceivedRequest, serverUrl: string, creds: typeof SES_TEST_CREDENTIALS): Reply | undefined {
	const auth = String(request.headers.authorization ?? '');
	const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
	if (!match) return sesError(403, 'IncompleteSignatureException', 'Authorization header requires a valid AWS4-HMAC-SHA256 signature.');
	const [, keyId, , region, service, signedHeaders, signature] = match;
	if (keyId !== creds.accessKeyId) return sesError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
	if (service !== 'ses' || region !== creds.region) return sesError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service "ses".`);
	const amzDate = String(request.headers['x-amz-date'] ?? '');
	const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
	if (Number.isNaN(when) || Math.abs(Date.now() - when) > 5 * 60 * 1000) return sesError(403, 'InvalidSignatureException', 'Signature expired');
	const headers: Record<string, string> = {};
	for (const name of signedHeaders.split(';')) {
		if (name === 'host' || name === 'x-amz-date' || name === 'x-amz-security-token') continue;
		headers[name] = String(request.headers[name] ?? '');
	}
	const expected = signV4({
		method: request.method,
		url: `${serverUrl}${request.path}`,
		headers: { ...headers, host: String(request.headers.host) },
		body: request.body,
		region,
		service,
		accessKeyId: creds.accessKeyId,
		secretAccessKey: creds.secretAccessKey,
		sessionToken: request.headers['x-amz-security-token'] as string | undefined,
		date: new Date(when),
	});
	if (expected.signature !== signature) {
		return sesError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
	}
	return undefined;
}

function headerProblem(list: unknown): string | undefined {
	if (list === undefined) return undefined;
	if (!Array.isArray(list)) return 'Headers must be a list';
	for (const h of list as Array<{ Name?: unknown; Value?: unknown }>) {
		if (typeof h.Name !== 'string' || !/^[!-9;-~]{1,126}$/.test(h.Name)) return `Invalid header name ${String(h.Name)}`;
		if (typeof h.Value !== 'string' || !/^[ -~]{1,870}$/.test(h.Value)) return `Invalid value for header ${h.Name}`;
	}
	return undefined;
}

function tagProblem(list: unknown): string | undefined {
	if (list === undefined) return undefined;
	for (const t of list as Array<{ Name?: unknown; Value?: unknown }>) {
		if (!TAG.test(String(t.Name)) || !TAG.test(String(t.Value))) return 'Tag names and values may only contain ASCII letters, numbers, underscores, or dashes.';
	}
	return undefined;
}

const bare = (address: string) => /<([^>]+)>\s*$/.exec(address)?.[1] ?? address;
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;
const illegal = (addresses: string[]) => addresses.some((a) => !ADDRESS.test(bare(String(a)).trim()));
/** The sandbox refusal of the unverified identities among these addresses, or undefined. */
function sandboxRefusal(verified: Set<string> | undefined, addresses: string[], region: string): Reply | undefined {
	if (!verified) return undefined;
	const failed = addresses.filter((a) => !verified.has(bare(a).toLowerCase()));
	if (!failed.length) return undefined;
	return sesError(400, 'MessageRejected', `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${failed.join(', ')}`);
}
const tagMap = (list: unknown) => Object.fromEntries(((list as Array<{ Name: string; Value: string }>) ?? []).map((t) => [t.Name, t.Value]));
const headerMap = (list: unknown) => Object.fromEntries(((list as Array<{ Name: string; Value: string }>) ?? []).map((h) => [h.Name, h.Value]));
const messageId = () => `0100018c${randomBytes(12).toString('hex')}-${randomBytes(4).toString('hex')}-000000`;

export async function startSesServer(creds = SES_TEST_CREDENTIALS): Promise<SesServer> {
	const delivered: SesDelivered[] = [];
	const entryFailures = new Map<string, string>();
	const templates = new Set<string>(['welcome']);
	const throttleOnce = new Set<string>();
	const arrivals: Array<{ at: number; to: string[] }> = [];
	let url = '';
	// The server object, once started (the handler reads its sandboxVerified, which tests may set).
	let result: SesServer | undefined;
	const quotaUsed = () => result?.dailyQuota !== undefined && delivered.length >= result.dailyQuota;
	const server = await startProviderServer((request) => {
		const denied = checkSignature(request, url, creds);
		if (denied) return denied;
		const path = request.path.split('?')[0];
		if (request.method === 'GET' && path === '/v2/email/account') {
			return { status: 200, body: JSON.stringify({ SendingEnabled: true, ProductionAccessEnabled: true, SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 } }) };
		}
		if (request.method !== 'POST') return sesError(404, 'NotFoundException', 'Not found');
		let body: Record<string, any>;
		try {
			body = JSON.parse(request.body) as Record<string, any>;
		} catch {
			return sesError(400, 'BadRequestException', 'Invalid JSON');
		}
		if (typeof body.FromEmailAddress !== 'string') return sesError(400, 'BadRequestException', 'FromEmailAddress is required');
		if (path === '/v2/email/outbound-emails') {
			const to: string[] = body.Destination?.ToAddresses ?? [];
			if (to.length === 0) return sesError(400, 'BadRequestException', 'Destination is required');
			if (illegal(to)) return sesError(400, 'BadRequestException', 'Illegal address');
			const sandboxed = sandboxRefusal(result?.sandboxVerified, [body.FromEmailAddress, ...to], creds.region);
			if (sandboxed) return sandboxed;
			const simple = body.Content?.Simple;
			if (!simple) return sesError(400, 'BadRequestException', 'Content is required');
			if (simple.Subject?.Data === undefined || !simple.Body || (!simple.Body.Html && !simple.Body.Text)) {
				return sesError(400, 'BadRequestException', 'Simple content needs a Subject and a Body');
			}
			const problem = headerProblem(simple.Headers) ?? tagProblem(body.EmailTags);
			if (problem) return sesError(400, 'BadRequestException', problem);
			arrivals.push({ at: Date.now(), to: to.map(bare) });
			const refusal = result?.refusal;
			if (refusal && (refusal.from === undefined || bare(body.FromEmailAddress) === refusal.from)) return sesError(400, refusal.type, refusal.message);
			if (throttleOnce.delete(bare(to[0]))) return sesError(400, 'ThrottlingException', 'Maximum sending rate exceeded.');
			if (quotaUsed()) return sesError(400, 'ThrottlingException', 'Daily message quota exceeded.');
			const failure = entryFailures.get(bare(to[0]));
			if (failure === 'MESSAGE_REJECTED') return sesError(400, 'MessageRejected', 'Email address is not verified.');
			const id = messageId();
			delivered.push({
				messageId: id,
				to: to[0],
				from: body.FromEmailAddress,
				subject: simple.Subject?.Data,
				html: simple.Body.Html?.Data,
				text: simple.Body.Text?.Data,
				headers: headerMap(simple.Headers),
				tags: tagMap(body.EmailTags),
			});
			return { status: 200, body: JSON.stringify({ MessageId: id }) };
		}
		if (path === '/v2/email/outbound-bulk-emails') {
			const template = body.DefaultContent?.Template;
			if (!template?.TemplateName) return sesError(400, 'BadRequestException', 'DefaultContent.Template is required');
			const entries = body.BulkEmailEntries;
			if (!Array.isArray(entries) || entries.length === 0) return sesError(400, 'BadRequestException', 'BulkEmailEntries is required');
			if (entries.length > 50) return sesError(400, 'BadRequestException', 'Too many BulkEmailEntries: the maximum is 50');
			if (String(template.TemplateData ?? '').length > 262144) return sesError(400, 'BadRequestException', 'TemplateData: Member must have length less than or equal to 262144');
			const destinations = entries.flatMap((entry: Record<string, any>) => (entry.Destination?.ToAddresses ?? []) as string[]);
			if (illegal(destinations)) return sesError(400, 'BadRequestException', 'Illegal address');
			const sandboxed = sandboxRefusal(result?.sandboxVerified, [body.FromEmailAddress, ...destinations], creds.region);
			if (sandboxed) return sandboxed;
			for (const entry of entries) {
				const problem = headerProblem(entry.ReplacementHeaders) ?? tagProblem(entry.ReplacementTags);
				if (problem) return sesError(400, 'BadRequestException', problem);
				const data = entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData;
				if (typeof data === 'string' && data.length > 262144) {
					return sesError(400, 'BadRequestException', 'ReplacementTemplateData: Member must have length less than or equal to 262144');
				}
			}
			arrivals.push({ at: Date.now(), to: destinations.map(bare) });
			const results = entries.map((entry: Record<string, any>) => {
				const to = String(entry.Destination?.ToAddresses?.[0] ?? '');
				if (throttleOnce.delete(bare(to))) return { Status: 'ACCOUNT_THROTTLED', Error: 'Maximum sending rate exceeded.' };
				if (quotaUsed()) return { Status: 'ACCOUNT_DAILY_QUOTA_EXCEEDED' };
				if (!templates.has(template.TemplateName)) return { Status: 'TEMPLATE_DOES_NOT_EXIST', Error: `Template ${template.TemplateName} does not exist` };
				const failure = entryFailures.get(bare(to));
				if (failure) return { Status: failure, Error: failure === 'TRANSIENT_FAILURE' ? 'Transient failure, try again' : 'Rejected' };
				const id = messageId();
				delivered.push({
					messageId: id,
					to,
					from: body.FromEmailAddress,
					template: template.TemplateName,
					templateData: {
						...JSON.parse(template.TemplateData ?? '{}'),
						...JSON.parse(entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData ?? '{}'),
					},
					headers: headerMap(entry.ReplacementHeaders),
					tags: tagMap(entry.ReplacementTags),
				});
				return { Status: 'SUCCESS', MessageId: id };
			});
			return { status: 200, body: JSON.stringify({ BulkEmailEntryResults: results }) };
		}
		return sesError(404, 'NotFoundException', 'Not found');
	}, sesFault);
	url = server.url;
	result = Object.assign(server, { delivered, entryFailures, templates, throttleOnce, arrivals, sandboxVerified: undefined as Set<string> | undefined, dailyQuota: undefined as number | undefined, refusal: undefined as SesServer['refusal'] });
	return result;
}
