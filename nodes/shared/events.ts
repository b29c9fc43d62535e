/**
 * n8n glue shared by the Personalization Trigger and Normalize Event: the source list, the Custom
 * source's field mapping and HMAC settings, reading them back, and the credential test.
 */
import type {
	IHttpRequestOptions,
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { checkWebhookSecrets } from '../engines/events/credentialCheck';
import { SOURCES, TRIGGER_ONLY_SOURCES } from '../engines/events/registry';
import { DEFAULT_TOLERANCE_SECONDS, type SignatureSecrets } from '../engines/events/signatures';
import { HMAC_ALGORITHMS, HMAC_ENCODINGS, type HmacOptions } from '../engines/events/signatures/hmac';
import type { CustomMapping } from '../engines/events/types';

/** The editor's names of the signature encodings the check accepts (HMAC_ENCODINGS). */
const ENCODING_NAMES: Record<(typeof HMAC_ENCODINGS)[number], string> = { hex: 'Hex', base64: 'Base64' };

export const CREDENTIAL_NAME = 'personalizationWebhookApi';
export const CREDENTIAL_TEST = 'personalizationWebhookApiTest';

/** Normalize Event's sources: those that send a signed body. */
export const SOURCE_OPTIONS: INodePropertyOptions[] = Object.values(SOURCES).map((s) => ({ name: s.displayName, value: s.id }));

/** The Personalization Trigger's sources: those, and the ones only it takes (the unsubscribe link). */
export const TRIGGER_SOURCE_OPTIONS: INodePropertyOptions[] = [...SOURCE_OPTIONS, ...Object.values(TRIGGER_ONLY_SOURCES).map((s) => ({ name: s.displayName, value: s.id }))];

export function mappingProperties(show: Record<string, string[]>): INodeProperties[] {
	const displayOptions = { show: { ...show, source: ['custom'] } };
	return [
		{
			displayName: 'Event Name Path',
			name: 'customEventPath',
			type: 'string',
			default: 'event',
			placeholder: 'event',
			displayOptions,
			description: 'Dot path of the event name in each payload, e.g. "event" or "data.type"',
		},
		{
			displayName: 'Field Mapping',
			name: 'customMapping',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions,
			options: [
				{ displayName: 'Anonymous ID Path', name: 'anonymousIdPath', type: 'string', default: '', description: 'Dot path of the anonymous / device ID' },
				{ displayName: 'Currency Path', name: 'currencyPath', type: 'string', default: '', description: 'Dot path of the ISO 4217 currency code' },
				{ displayName: 'Email Path', name: 'emailPath', type: 'string', default: '', description: 'Dot path of the email address (trimmed and lower-cased)' },
				{
					displayName: 'Event Name Map (JSON)',
					name: 'eventMap',
					type: 'json',
					default: '{}',
					description: 'Your names → canonical names, e.g. {"add_to_cart": "Product Added"}. When set, names not in the map count as unknown.',
				},
				{ displayName: 'Events Array Path', name: 'eventsPath', type: 'string', default: '', description: 'Dot path of an array of events (one output item each). Leave empty when the payload is one event.' },
				{ displayName: 'Fixed Event Name', name: 'eventName', type: 'string', default: '', description: 'Event name to use when the event name path finds nothing' },
				{ displayName: 'Message ID Path', name: 'messageIdPath', type: 'string', default: '', description: 'Dot path of a unique event ID (used to drop duplicates and retried deliveries). Without it the ID is a hash of the event, plus the receive time when no timestamp is mapped, so identical pushes are all kept and retries are not recognised.' },
				{ displayName: 'Properties Path', name: 'propertiesPath', type: 'string', default: '', description: 'Dot path of the object copied into properties. Leave empty to copy the whole event.' },
				{ displayName: 'Timestamp Path', name: 'timestampPath', type: 'string', default: '', description: 'Dot path of the event time (ISO date or epoch seconds/ms). Without it the receive time is used.' },
				{ displayName: 'User ID Path', name: 'userIdPath', type: 'string', default: '', description: 'Dot path of your user / customer ID' },
				{ displayName: 'Value Path', name: 'valuePath', type: 'string', default: '', description: 'Dot path of the money value, in major units (19.99)' },
			],
		},
	];
}

export function customSignatureProperties(show: Record<string, string[]>): INodeProperties[] {
	const displayOptions = { show: { ...show, source: ['custom'] } };
	return [
		{
			displayName: 'Signature Header',
			name: 'customSignatureHeader',
			type: 'string',
			default: 'x-signature',
			displayOptions,
			description: 'Header that carries the HMAC of the raw body',
		},
		{
			displayName: 'Signature Algorithm',
			name: 'customSignatureAlgorithm',
			type: 'options',
			default: 'sha256',
			displayOptions,
			// the values the signature check accepts (customHmacOptions), so the two cannot drift apart
			options: HMAC_ALGORITHMS.map((value) => ({ name: `HMAC-${value.toUpperCase()}`, value })),
		},
		{
			displayName: 'Signature Encoding',
			name: 'customSignatureEncoding',
			type: 'options',
			default: 'hex',
			displayOptions,
			options: HMAC_ENCODINGS.map((value) => ({ name: ENCODING_NAMES[value], value })),
		},
		{
			displayName: 'Signature Prefix',
			name: 'customSignaturePrefix',
			type: 'string',
			default: '',
			placeholder: 'sha256=',
			displayOptions,
			description: 'Text before the digest in the header, if any',
		},
	];
}

type ParamReader = (name: string, fallback: unknown) => unknown;

export function readMapping(get: ParamReader): CustomMapping {
	const extra = (get('customMapping', {}) ?? {}) as Record<string, unknown>;
	let eventMap: Record<string, string> | undefined;
	const rawMap = extra.eventMap;
	const parsed: unknown = typeof rawMap === 'string' ? (rawMap.trim() ? JSON.parse(rawMap) : {}) : rawMap;
	if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
		eventMap = {};
		for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') eventMap[k] = v;
	}
	const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
	return {
		eventPath: str(get('customEventPath', 'event')),
		eventsPath: str(extra.eventsPath),
		eventName: str(extra.eventName),
		eventMap,
		messageIdPath: str(extra.messageIdPath),
		timestampPath: str(extra.timestampPath),
		userIdPath: str(extra.userIdPath),
		anonymousIdPath: str(extra.anonymousIdPath),
		emailPath: str(extra.emailPath),
		propertiesPath: str(extra.propertiesPath),
		currencyPath: str(extra.currencyPath),
		valuePath: str(extra.valuePath),
	};
}

export function readCustomHmac(get: ParamReader): HmacOptions {
	return {
		header: String(get('customSignatureHeader', 'x-signature') ?? '').trim().toLowerCase(),
		algorithm: String(get('customSignatureAlgorithm', 'sha256')) as HmacOptions['algorithm'],
		encoding: String(get('customSignatureEncoding', 'hex')) as HmacOptions['encoding'],
		prefix: String(get('customSignaturePrefix', '') ?? ''),
	};
}

/**
 * The credential's values as the signature checks take them. The signing secret and the bearer
 * token are trimmed: provider secrets (shpss_…, whsec_…, Mailgun keys, tokens) hold no whitespace
 * and a received header value arrives trimmed, so surrounding spaces or a trailing newline can only
 * come from pasting, and would make every delivery fail as "does not match" while "Test
 * credential" (which trims too) says "Ready". Basic auth user and password stay as typed.
 */
export function secretsFromCredential(data: ICredentialDataDecryptedObject | undefined): SignatureSecrets {
	const text = (v: unknown) => (typeof v === 'string' ? v : '');
	return {
		secret: text(data?.signingSecret).trim(),
		publicKey: text(data?.verificationKey),
		username: text(data?.user),
		password: text(data?.password),
		token: text(data?.token).trim(),
	};
}

export async function testWebhookCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	// Unlike the signing secret and token (trimmed when used), basic auth compares user and password
	// exactly as the sender typed them: a space pasted here only would make every delivery a 401.
	for (const [field, label] of [['user', 'User'], ['password', 'Password']] as const) {
		const value = data[field];
		if (typeof value === 'string' && value.trim() !== '' && value !== value.trim()) {
			return {
				status: 'Error',
				message: `The ${label} begins or ends with a space or line break. Basic auth compares it exactly: remove it, unless the sender was given it too.`,
			};
		}
	}
	const result = checkWebhookSecrets(data);
	return { status: result.ok ? 'OK' : 'Error', message: result.message };
}

/**
 * The Replay Window option as the signature checks take it: a number, or text holding one (an
 * expression may give "600"); the default (300 s) for anything else and for a negative number, so
 * that only an explicit 0 turns the check off (an expression giving NaN or -1 would otherwise).
 */
export function replayWindowSeconds(value: unknown): number {
	const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_TOLERANCE_SECONDS;
	return seconds;
}

/** GET as text through n8n's HTTP helper (SNS signing certificates and SubscribeURL; no credentials involved). */
export function getText(helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> }, url: string): Promise<string> {
	return helpers.httpRequest({ method: 'GET', url, encoding: 'text', json: false, timeout: 5000 }).then((body: unknown) => String(body));
}
