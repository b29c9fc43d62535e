/**
 * One webhook delivery, end to end and free of n8n: handshake → signature over the raw bytes →
 * parse → (SNS envelope) → normalize. The Personalization Trigger turns the outcome into an HTTP
 * answer and workflow items; the benchmark runs exactly this path.
 */
import type { CanonicalEvent } from '../types/CanonicalEvent';
import type { SignatureSecrets, VerifyOptions } from './signatures';
import { verifyDelivery, verifyParsedSync, verifyRaw } from './signatures';
import type { VerifyResult } from './signatures/common';
import type { SnsMessage } from './signatures/sns';
import { asSnsMessage } from './signatures/sns';
import { getSource } from './registry';
import type { CustomMapping, UnknownMode } from './types';
import { tryNormalize } from './types';
import { parseJsonLossless } from './util';
import { mailgunToken, mailgunTokens } from './signatures/token-memory';

export interface DeliveryInput {
	sourceId: string;
	rawBody: Buffer;
	headers: Record<string, unknown>;
	receivedAt: Date;
	/** Verify the signature (default true). */
	verify?: boolean;
	secrets?: SignatureSecrets;
	verifyOptions?: VerifyOptions;
	onUnknown?: UnknownMode;
	keepRaw?: boolean;
	mapping?: CustomMapping;
	/**
	 * SES: only these SNS topic ARNs are accepted. When the signature is verified the list is
	 * required: an SNS signature proves that AWS sent the message, not whose topic it came from.
	 */
	allowedTopicArns?: string[];
}

export type DeliveryOutcome =
	| { kind: 'rejected'; status: 400 | 401 | 403; message: string; verify?: VerifyResult }
	| { kind: 'handshake'; message: string }
	| { kind: 'snsSubscription'; sns: SnsMessage }
	| { kind: 'events'; events: CanonicalEvent[]; /** The parsed body (the trigger's Shopify event key reads it). */ payload: unknown };

const WOO_PING = /^webhook_id=\d+$/;

/** The least time a Mailgun signature token stays bound to the body it came with. */
const MIN_TOKEN_MEMORY_MS = 24 * 3600_000;

function reject(status: 400 | 401 | 403, message: string, verify?: VerifyResult): DeliveryOutcome {
	return { kind: 'rejected', status, message, verify };
}

export function isWooCommercePing(rawBody: Buffer): boolean {
	return rawBody.length < 64 && WOO_PING.test(rawBody.toString('latin1').trim());
}

/** Handles one delivery; only SES/SNS may await (certificate fetch, cached afterwards). */
export async function processDelivery(input: DeliveryInput): Promise<DeliveryOutcome> {
	const source = getSource(input.sourceId);
	if (!source) return reject(400, `unknown source "${input.sourceId}"`);
	const verify = input.verify !== false;
	const secrets = input.secrets ?? {};
	// WooCommerce pings a new webhook with an unsigned form body `webhook_id=<id>` and needs a 2xx.
	if (input.sourceId === 'woocommerce' && isWooCommercePing(input.rawBody)) {
		return { kind: 'handshake', message: 'WooCommerce ping acknowledged' };
	}
	if (verify) {
		const raw = verifyRaw(input.sourceId, input.rawBody, input.headers, secrets, input.verifyOptions);
		if (raw && !raw.ok) return reject(401, raw.message, raw);
	}
	let payload: unknown;
	try {
		const text = input.rawBody.toString('utf8');
		// Only Shopify sends 64-bit numeric ids (beyond 2^53); everyone else parses at full speed.
		payload = input.sourceId === 'shopify' ? parseJsonLossless(text) : JSON.parse(text);
	} catch {
		return reject(400, 'the body is not valid JSON');
	}
	// SNS: the topic allow-list is checked before the signature, so a message naming a topic that is
	// not ours is refused without fetching its signing certificate (no outbound request per forgery).
	const sns = input.sourceId === 'ses' ? asSnsMessage(payload) : null;
	if (sns) {
		const allowed = input.allowedTopicArns ?? [];
		if (verify && allowed.length === 0) {
			return reject(403, 'no allowed SNS topic ARN is configured: list your SES event topic in "Allowed SNS Topic ARNs"');
		}
		if (allowed.length > 0 && !allowed.includes(sns.TopicArn)) {
			return reject(403, 'the SNS TopicArn is not in the allowed list');
		}
	}
	if (verify && (input.sourceId === 'mailgun' || input.sourceId === 'ses')) {
		// Synchronous unless an SNS signing certificate must be fetched first (once per certificate URL).
		const result =
			verifyParsedSync(input.sourceId, input.rawBody, input.headers, payload, secrets, input.verifyOptions) ??
			(await verifyDelivery(input.sourceId, input.rawBody, input.headers, payload, secrets, input.verifyOptions));
		if (!result.ok) return reject(401, result.message, result);
		const token = input.sourceId === 'mailgun' ? mailgunToken(payload) : undefined;
		// Tokens are remembered for twice the replay window, and at least a day: with the window
		// turned off (0) an old signature stays valid, so its token must still be bound to its body.
		const ttlMs = Math.max((input.verifyOptions?.toleranceSeconds ?? 300) * 2000, MIN_TOKEN_MEMORY_MS);
		if (token && !mailgunTokens.check(token, input.rawBody, input.receivedAt.getTime(), ttlMs)) {
			return reject(401, 'this Mailgun signature token was already used for another body (replayed signature)');
		}
	}
	if (sns) {
		if (sns.Type === 'SubscriptionConfirmation') return { kind: 'snsSubscription', sns };
		if (sns.Type === 'UnsubscribeConfirmation') return { kind: 'handshake', message: 'SNS UnsubscribeConfirmation acknowledged' };
	}
	const result = tryNormalize(source, {
		payload,
		headers: input.headers,
		receivedAt: input.receivedAt,
		onUnknown: input.onUnknown ?? 'skip',
		keepRaw: input.keepRaw,
		mapping: input.mapping,
	});
	if (!result.ok) return reject(400, result.error.field ? `${result.error.message} (field: ${result.error.field})` : result.error.message);
	return { kind: 'events', events: result.events, payload };
}
