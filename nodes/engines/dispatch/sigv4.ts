/**
 * AWS Signature Version 4 (header form), as a pure function: no clock, no I/O. The caller
 * passes the time. Used by the Amazon SES credential to sign each SES v2 request.
 *
 * Algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * (canonical request → string to sign → HMAC-SHA256 signing key chain → signature).
 * Checked in test/engines/dispatch/sigv4.test.ts against AWS's published test-suite vectors
 * (get-vanilla, post-vanilla, get-vanilla-query-order-key-case) and the IAM ListUsers worked
 * example of the AWS General Reference.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Input {
	method: string;
	/** Absolute URL (host, path and query are signed). */
	url: string;
	/** Headers to send; every one given is signed (host is added from the URL). */
	headers?: Record<string, string>;
	/** Request body ('' when none). */
	body?: string;
	region: string;
	service: string;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** Signing time. */
	date: Date;
	/** Add `x-amz-content-sha256` (S3 style). Off by default (SES does not need it). */
	contentSha256Header?: boolean;
}

export interface SigV4Result {
	/** Headers to add to the request: authorization, x-amz-date (+ x-amz-security-token). */
	headers: Record<string, string>;
	canonicalRequest: string;
	stringToSign: string;
	signature: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters is %XX (upper case). */
export function uriEncode(value: string, keepSlash = false): string {
	let out = '';
	for (const byte of Buffer.from(value, 'utf8')) {
		const ch = String.fromCharCode(byte);
		if (/[A-Za-z0-9\-._~]/.test(ch) || (keepSlash && ch === '/')) out += ch;
		else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return out;
}

/** `20150830T123600Z` and `20150830`. */
export function amzDate(date: Date): { amzDate: string; dateStamp: string } {
	const iso = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
	return { amzDate: iso, dateStamp: iso.slice(0, 8) };
}

function canonicalPath(pathname: string): string {
	// Non-S3 services: normalize the path and encode each segment (the URL parser already
	// percent-encoded it once, so decode first to encode exactly once as SigV4 defines).
	const segments: string[] = [];
	for (const segment of pathname.split('/')) {
		if (segment === '' || segment === '.') continue;
		if (segment === '..') segments.pop();
		else segments.push(uriEncode(decodeURIComponent(segment)));
	}
	const path = `/${segments.join('/')}`;
	return pathname.endsWith('/') && path !== '/' ? `${path}/` : path;
}

function canonicalQuery(search: string): string {
	if (!search || search === '?') return '';
	const pairs = search
		.replace(/^\?/, '')
		.split('&')
		.filter((p) => p !== '')
		.map((pair) => {
			const eq = pair.indexOf('=');
			const key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
			const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
			return [uriEncode(key), uriEncode(value)] as const;
		});
	pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
	return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function signV4(input: SigV4Input): SigV4Result {
	const url = new URL(input.url);
	const { amzDate: stamp, dateStamp } = amzDate(input.date);
	const body = input.body ?? '';
	const payloadHash = sha256(body);

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		headers[name.toLowerCase()] = String(value);
	}
	headers.host ??= url.host;
	headers['x-amz-date'] = stamp;
	if (input.sessionToken) headers['x-amz-security-token'] = input.sessionToken;
	if (input.contentSha256Header) headers['x-amz-content-sha256'] = payloadHash;

	const names = Object.keys(headers).sort();
	const canonicalHeaders = names
		.map((name) => `${name}:${headers[name].trim().replace(/\s+/g, ' ')}\n`)
		.join('');
	const signedHeaders = names.join(';');
	const canonicalRequest = [
		input.method.toUpperCase(),
		canonicalPath(url.pathname),
		canonicalQuery(url.search),
		canonicalHeaders,
		signedHeaders,
		payloadHash,
	].join('\n');

	const scope = `${dateStamp}/${input.region}/${input.service}/aws4_request`;
	const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(canonicalRequest)].join('\n');
	const kDate = hmac(`AWS4${input.secretAccessKey}`, dateStamp);
	const kRegion = hmac(kDate, input.region);
	const kService = hmac(kRegion, input.service);
	const kSigning = hmac(kService, 'aws4_request');
	const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');

	const out: Record<string, string> = {
		authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
		'x-amz-date': stamp,
	};
	if (input.sessionToken) out['x-amz-security-token'] = input.sessionToken;
	if (input.contentSha256Header) out['x-amz-content-sha256'] = payloadHash;
	return { headers: out, canonicalRequest, stringToSign, signature };
}

export interface AwsCredentials {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	region: string;
}

/**
 * Signs an outgoing HTTP request for an AWS service: returns the request's headers with
 * authorization, x-amz-date (and x-amz-security-token) added. Every header the request already
 * carries is signed, so none may be changed after signing.
 */
export function signAwsRequest(
	request: { method: string; url: string; headers?: Record<string, string>; body?: string },
	credentials: AwsCredentials,
	service: string,
	date: Date,
): Record<string, string> {
	const headers = { ...(request.headers ?? {}) };
	const signed = signV4({
		method: request.method,
		url: request.url,
		headers,
		body: request.body ?? '',
		region: credentials.region,
		service,
		accessKeyId: credentials.accessKeyId,
		secretAccessKey: credentials.secretAccessKey,
		sessionToken: credentials.sessionToken || undefined,
		date,
	});
	return { ...headers, ...signed.headers };
}
