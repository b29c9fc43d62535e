import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { ServerResponse } from 'node:http';
import type { CanonicalEvent } from '../engines/types/CanonicalEvent';
import { deliveryContentKey, deliveryDedupeKeys, dedupeEvents, freshEvents, sourceEventKey } from '../engines/events/dedupe';
import { sharedDedupeMemory } from '../engines/events/sharedDedupe';
import { postgresPool, validPrefix } from '../engines/profile';
import { processDelivery } from '../engines/events/pipeline';
import { isValidSnsServiceUrl } from '../engines/events/signatures/sns';
import { shopifyEventKey } from '../engines/events/sources/shopify';
import type { UnknownMode } from '../engines/events/types';
import { INVALID_LINK_PAGE, DONE_TEXT, processUnsubscribe } from '../engines/events/unsubscribe';
import {
	CREDENTIAL_NAME,
	CREDENTIAL_TEST,
	TRIGGER_SOURCE_OPTIONS,
	customSignatureProperties,
	getText,
	mappingProperties,
	readCustomHmac,
	readMapping,
	replayWindowSeconds,
	secretsFromCredential,
	testWebhookCredential,
} from '../shared/events';
import { errorMessage } from '../shared/errors';
import { POSTGRES_CREDENTIAL_TEST, postgresConnection, testPostgresCredential } from '../shared/postgres';

/**
 * Sources whose events take their messageId from a delivery id header that the signature (over the
 * body only) does not cover; de-duplication remembers their signed body as well.
 */
const UNSIGNED_DELIVERY_ID = new Set(['shopify', 'woocommerce']);

/** Answers the request directly (used for 400/401/403, so the workflow never runs). */
function answer(res: ServerResponse, status: number, body: IDataObject): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

/** Answers with a text or HTML body (the unsubscribe link's answers, read by people and inboxes). */
function answerText(res: ServerResponse, status: number, text: string, type: 'text/plain' | 'text/html'): void {
	res.writeHead(status, {
		'content-type': `${type}; charset=utf-8`,
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store',
		// the page's URL carries the token: not to other sites, not into search indexes
		'referrer-policy': 'no-referrer',
		'x-robots-tag': 'noindex',
		...(type === 'text/html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'" } : {}),
	});
	res.end(text);
}


/**
 * A number option as the node can use it: the editor's bounds also for a value set by an
 * expression, and the default for one that is not a finite number (an expression giving NaN would
 * otherwise switch the duplicate window off, or never bound the memory).
 */
function boundedOption(value: unknown, fallback: number, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
	return Math.min(max, Math.max(min, value));
}

// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete -- nothing to register remotely: the user pastes this node's URL into the provider's dashboard (each provider's setup is in the README)
export class PersonalizationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Personalization Trigger',
		name: 'personalizationTrigger',
		icon: { light: 'file:personalizationTrigger.svg', dark: 'file:personalizationTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"from " + $parameter["source"]}}',
		description: 'Starts the workflow on verified store, CDP and email events, as canonical Segment-spec events',
		defaults: { name: 'Personalization Trigger' },
		inputs: [],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- superseded by n8n's node-connection-type-literal rule
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'personalizationWebhookApi',
				required: true,
				testedBy: 'personalizationWebhookApiTest',
				displayOptions: { show: { signatureCheck: ['verify'] }, hide: { source: ['ses'] } },
			},
			{
				name: 'personalizationPostgresApi',
				required: true,
				testedBy: 'personalizationPostgresConnectionTest', // = POSTGRES_CREDENTIAL_TEST, written out for the community-node lint (it reads literals)
				displayOptions: { show: { duplicateMemory: ['postgres'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				// The unsubscribe link also answers GET (a page with a button; the POST unsubscribes). n8n
				// registers one webhook per method of a comma-separated list (WebhookService.getNodeWebhooks).
				httpMethod: '={{$parameter["source"] === "unsubscribe" ? "GET,POST" : "POST"}}',
				responseMode: 'onReceived',
				path: '={{$parameter["source"]}}',
			},
		],
		properties: [
			{
				displayName:
					'Paste this node\'s Production URL into the source\'s webhook settings and put the matching secret in the credential. Setup per source: see the package README, section "Events in".',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				default: 'shopify',
				options: TRIGGER_SOURCE_OPTIONS,
				description: 'Who sends the webhook. Each source gets its own URL path.',
			},
			{
				displayName: 'Signature Check',
				name: 'signatureCheck',
				type: 'options',
				noDataExpression: true,
				default: 'verify',
				options: [
					{ name: 'Verify (Recommended)', value: 'verify', description: 'Reject requests whose signature is missing or wrong with 401 (the unsubscribe link: a token not matching its address with 403)' },
					{ name: 'Accept Unsigned Requests', value: 'none', description: 'Only for sources that cannot sign (e.g. RudderStack without a token). Not for the unsubscribe link, which always checks its token.' },
				],
				description: 'Whether to verify the request signature over the raw body before the workflow runs',
			},
			...customSignatureProperties({ signatureCheck: ['verify'] }),
			...mappingProperties({}),
			// Both only with the signature verified: an unverified SNS message may name any topic, and its
			// SubscribeURL is never followed. The list is required then (an empty one refuses everything
			// with 403, the SubscriptionConfirmation included), so the editor flags it before activation.
			{
				displayName: 'Allowed SNS Topic ARNs',
				name: 'allowedTopicArns',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'arn:aws:sns:us-east-1:123456789012:ses-events',
				displayOptions: { show: { source: ['ses'], signatureCheck: ['verify'] } },
				description: 'Comma-separated SNS topics your SES events come from. Messages from other topics are rejected (403), because an SNS signature proves only that AWS sent the message, not whose topic it came from.',
			},
			{
				displayName: 'Confirm SNS Subscription',
				name: 'confirmSubscription',
				type: 'boolean',
				default: false,
				displayOptions: { show: { source: ['ses'], signatureCheck: ['verify'] } },
				description: 'Whether to confirm the SNS SubscriptionConfirmation automatically (only for the topics listed above)',
			},
			{
				displayName: 'Unknown Events',
				name: 'onUnknown',
				type: 'options',
				default: 'skip',
				options: [
					{ name: 'Acknowledge and Ignore', value: 'skip', description: 'Answer 200 and do not run the workflow for them' },
					{ name: 'Pass Through as Unknown', value: 'passThrough', description: 'Emit event "Unknown" with the raw payload kept' },
					{ name: 'Reject with 400', value: 'error', description: 'The sender will retry or report the failure' },
				],
				displayOptions: { hide: { source: ['unsubscribe'] } },
				description: 'What to do with topics this source does not map (e.g. SendGrid "deferred")',
			},
			{
				displayName: 'Duplicate Memory',
				name: 'duplicateMemory',
				type: 'options',
				noDataExpression: true,
				default: 'staticData',
				options: [
					{
						name: 'Workflow Static Data',
						value: 'staticData',
						description: 'Remembered by each n8n process and saved with the workflow. Enough with one main process.',
					},
					{
						// eslint-disable-next-line n8n-nodes-base/node-param-display-name-miscased -- "n8n" is the product's name, written in lower case
						name: 'PostgreSQL (Shared by All n8n Processes)',
						value: 'postgres',
						description: 'For queue mode with several webhook processes: a delivery arriving on two at once runs once. Unreachable database: 503, the sender retries.',
					},
				],
				description: 'Where the IDs of received events are remembered to drop duplicates (Options → Drop Duplicates)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Drop Duplicates',
						name: 'dedupe',
						type: 'boolean',
						default: true,
						description: 'Whether to drop events already received (same delivery or event ID), e.g. a retried delivery',
					},
					{
						displayName: 'Duplicate Memory Size',
						name: 'dedupeMaxEntries',
						type: 'number',
						default: 5000,
						typeOptions: { minValue: 10, maxValue: 100000 },
						description: 'How many event IDs are remembered at most (oldest are forgotten first). Workflow Static Data only: PostgreSQL keeps every ID for the whole window.',
						displayOptions: { hide: { '/duplicateMemory': ['postgres'] } },
					},
					{
						displayName: 'Duplicate Table Prefix',
						name: 'dedupeTablePrefix',
						type: 'string',
						default: 'pz_',
						description: 'Prefix of the PostgreSQL table of remembered IDs (&lt;prefix&gt;seen_ids; lower-case letters, digits, underscores), as Customer Profile\'s Table Prefix',
						displayOptions: { show: { '/duplicateMemory': ['postgres'] } },
					},
					{
						displayName: 'Duplicate Window (Minutes)',
						name: 'dedupeWindowMinutes',
						type: 'number',
						default: 1440,
						typeOptions: { minValue: 1, maxValue: 525600 },
						description: 'How long an event ID is remembered (at most 525,600 minutes, one year)',
					},
					{
						displayName: 'Include Raw Payload',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description: 'Whether to keep the provider\'s payload on each event under "raw"',
					},
					{
						displayName: 'Replay Window (Seconds)',
						name: 'replayWindowSeconds',
						type: 'number',
						default: 300,
						typeOptions: { minValue: 0 },
						description: 'Signed timestamps older or newer than this are rejected (Stripe, SendGrid, Mailgun, Resend, SNS). 0 turns the check off.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { [CREDENTIAL_TEST]: testWebhookCredential, [POSTGRES_CREDENTIAL_TEST]: testPostgresCredential },
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject() as unknown as ServerResponse;
		const receivedAt = new Date();
		const source = this.getNodeParameter('source') as string;
		const verify = this.getNodeParameter('signatureCheck', 'verify') === 'verify';
		const onUnknown = this.getNodeParameter('onUnknown', 'skip') as UnknownMode;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const get = (name: string, fallback: unknown) => this.getNodeParameter(name, fallback);

		const unsubscribe = source === 'unsubscribe';
		// n8n parses a multipart/form-data body itself before the node runs (into req.body.data) and
		// keeps no raw bytes: the stream is consumed, and readRawBody would throw. The unsubscribe
		// link needs no signature over the body, so it takes the parsed fields (RFC 8058 allows both).
		const parsedFields = unsubscribe ? parsedMultipartFields(req.headers['content-type'], req.body) : undefined;
		if (!Buffer.isBuffer(req.rawBody) && !parsedFields && typeof req.readRawBody === 'function') await req.readRawBody();
		const rawBody = req.rawBody;
		if (!Buffer.isBuffer(rawBody) && !(unsubscribe && (req.method === 'GET' || parsedFields))) {
			answer(res, 400, { error: 'The raw request body is not available' });
			return { noWebhookResponse: true };
		}

		if (unsubscribe && !verify) {
			// An unsigned unsubscribe link lets anyone unsubscribe anyone: the token is always checked.
			this.logger.error(
				`Personalization Trigger "${this.getNode().name}" (workflow ${this.getWorkflow().id ?? '?'}): the Unsubscribe Link source always checks the link's token: set Signature Check to Verify and select the credential with the Signing Secret.`,
			);
			answerText(res, 500, 'The unsubscribe link is not configured correctly.', 'text/plain');
			return { noWebhookResponse: true };
		}
		let credential: ICredentialDataDecryptedObject | undefined;
		if (verify && source !== 'ses') credential = await this.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_NAME);
		// Answers 200 ourselves: with our JSON body, or the unsubscribe link's short text. (Returning
		// `webhookResponse` is not enough: n8n's onReceived mode answers with the webhook's
		// `responseData`, which defaults to the literal string "firstEntryJson" for a node that
		// declares none.)
		const reply = (body: IDataObject): IWebhookResponseData => {
			if (unsubscribe) answerText(res, 200, DONE_TEXT, 'text/plain');
			else answer(res, 200, body);
			return { noWebhookResponse: true };
		};
		const allowedTopicArns = String(get('allowedTopicArns', '') ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);

		let mapping;
		try {
			mapping = source === 'custom' ? readMapping(get) : undefined;
		} catch {
			throw new NodeOperationError(this.getNode(), 'Event Name Map is not valid JSON', { description: 'Use an object like {"add_to_cart": "Product Added"}' });
		}

		const outcome = unsubscribe
			? unsubscribeOutcome(this, res, req.method ?? 'POST', req.originalUrl ?? req.url ?? '', rawBody, req.headers['content-type'], parsedFields, secretsFromCredential(credential).secret ?? '', receivedAt)
			: await processDelivery({
			sourceId: source,
			rawBody,
			headers: req.headers as Record<string, unknown>,
			receivedAt,
			verify,
			secrets: secretsFromCredential(credential),
			verifyOptions: {
				toleranceSeconds: replayWindowSeconds(options.replayWindowSeconds),
				customHmac: source === 'custom' ? readCustomHmac(get) : undefined,
				fetchCertificate: async (url: string) => await getText(this.helpers, url),
			},
			onUnknown,
			keepRaw: options.includeRaw === true,
			mapping,
			allowedTopicArns,
		});

		switch (outcome.kind) {
			case 'answered':
				return { noWebhookResponse: true };
			case 'rejected':
				if (outcome.verify && !outcome.verify.ok && outcome.verify.reason === 'misconfigured') {
					// Our set-up is wrong, not the sender's request: tell the sender nothing about it (a bare
					// 500, so the provider retries), and tell the n8n operator in the server log.
					// The hint names no credential field: which one a source uses differs (a signing secret, the
					// SendGrid key, basic auth or a token), and the message above already says what is missing.
					this.logger.error(
						`Personalization Trigger "${this.getNode().name}" (workflow ${this.getWorkflow().id ?? '?'}): ${outcome.message}. ` +
							'What each source needs in the Personalization Webhook Secrets credential: package README, "Setting up each source".',
					);
					answer(res, 500, { error: 'The webhook is not configured correctly' });
					return { noWebhookResponse: true };
				}
				answer(res, outcome.status, { error: outcome.message });
				return { noWebhookResponse: true };
			case 'handshake':
				return reply({ message: outcome.message });
			case 'snsSubscription': {
				const { sns } = outcome;
				const confirm = get('confirmSubscription', false) === true;
				if (!verify) {
					return reply({ message: 'SNS subscription not confirmed: a confirmation is followed only when Signature Check is Verify' });
				}
				if (!confirm || !allowedTopicArns.includes(sns.TopicArn)) {
					return reply({ message: 'SNS subscription not confirmed: turn on "Confirm SNS Subscription" and list the topic ARN' });
				}
				if (!sns.SubscribeURL || !isValidSnsServiceUrl(sns.SubscribeURL) || subscribeUrlTopic(sns.SubscribeURL) !== sns.TopicArn) {
					answer(res, 400, { error: 'SubscribeURL is not an https URL on sns.<region>.amazonaws.com for the allowed topic' });
					return { noWebhookResponse: true };
				}
				await getText(this.helpers, sns.SubscribeURL);
				return reply({ message: 'SNS subscription confirmed' });
			}
			case 'events': {
				let events = outcome.events;
				let duplicates = 0;
				// "Listen for test event" runs in mode 'manual', in the same process as the Production URL,
				// and n8n never saves its static data (cli/src/webhooks/test-webhooks.ts). Sharing the
				// active workflow's window would let a test delivery make production drop the same event
				// later (or hide from the test an event production already ran), so a test call neither
				// consults nor feeds it: it always runs, and the same event can be resent while building.
				if (options.dedupe !== false && this.getMode() !== 'manual' && events.length > 0) {
					// Where the delivery id is an unsigned header, the signed body itself is remembered too;
					// for Shopify also the event (topic, X-Shopify-Event-Id, resource), which another
					// subscription to the topic delivers again under its own webhook id and body.
					const deliveryKeys: string[] = [];
					if (UNSIGNED_DELIVERY_ID.has(source)) {
						deliveryKeys.push(deliveryContentKey(source, events.map((e) => e.context.topic ?? e.event).join('\n'), rawBody));
					}
					const shopifyEvent = source === 'shopify' ? shopifyEventKey(req.headers as Record<string, unknown>, outcome.payload) : undefined;
					if (shopifyEvent !== undefined) deliveryKeys.push(sourceEventKey(source, shopifyEvent));
					const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
					const windowMs = boundedOption(options.dedupeWindowMinutes, 1440, 1, 525_600) * 60_000;
					let deduped: { fresh: typeof events; duplicates: number };
					if (this.getNodeParameter('duplicateMemory', 'staticData') === 'postgres') {
						const shared = await sharedDuplicates(this, events, source, scope, receivedAt.getTime(), windowMs, deliveryKeys, options);
						if (shared === 'misconfigured') {
							// Our set-up (logged), answered as a missing secret is: not recorded, not run.
							answer(res, 500, { error: 'The webhook is not configured correctly' });
							return { noWebhookResponse: true };
						}
						if (shared === 'unavailable') {
							// Not recorded, so not run: the sender retries, and the retry is checked then.
							answer(res, 503, { error: 'Temporarily unable to accept the delivery; please retry' });
							return { noWebhookResponse: true };
						}
						deduped = shared;
					} else {
						const staticData = this.getWorkflowStaticData('node');
						const window = dedupeEvents(
							source,
							events,
							staticData.dedupeIds,
							scope,
							receivedAt.getTime(),
							{ windowMs, maxEntries: boundedOption(options.dedupeMaxEntries, 5000, 10, 100_000) },
							deliveryKeys,
						);
						if (window.persist !== undefined) staticData.dedupeIds = window.persist;
						deduped = window;
					}
					duplicates = deduped.duplicates;
					events = deduped.fresh;
				}
				if (events.length === 0) {
					return reply({ message: duplicates ? 'Duplicate delivery ignored' : 'No mapped events in this delivery', duplicates });
				}
				if (unsubscribe) answerText(res, 200, DONE_TEXT, 'text/plain');
				else answer(res, 200, { message: 'Accepted', events: events.length, duplicates });
				return {
					workflowData: [events.map((e) => ({ json: e as unknown as IDataObject }))],
					noWebhookResponse: true,
				};
			}
		}
	}
}

/**
 * The text fields of a multipart/form-data body n8n has already parsed (`req.body` = `{ data, files }`,
 * cli/src/webhooks/webhook-form-data.ts; a repeated field is an array); undefined for any other body.
 */
function parsedMultipartFields(contentType: string | undefined, body: unknown): Array<[string, string]> | undefined {
	if (!/^\s*multipart\/form-data\b/i.test(contentType ?? '')) return undefined;
	const data = (body as { data?: unknown } | undefined)?.data;
	if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
	const out: Array<[string, string]> = [];
	for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
		for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') out.push([name, v]);
	}
	return out;
}

/**
 * A request to the unsubscribe link (engines/events/unsubscribe.ts): answered here, except a
 * verified POST, whose `Unsubscribed` event goes on like any delivery's (duplicate memory, then
 * the workflow). A GET answers the confirmation page and never runs the workflow; a bad token is
 * 403, a malformed link 400, neither runs it.
 */
function unsubscribeOutcome(
	ctx: IWebhookFunctions,
	res: ServerResponse,
	method: string,
	url: string,
	rawBody: Buffer | undefined,
	contentType: string | undefined,
	fields: Array<[string, string]> | undefined,
	secret: string,
	receivedAt: Date,
): { kind: 'answered' } | { kind: 'events'; events: CanonicalEvent[]; payload: unknown } {
	const result = processUnsubscribe({ method, query: url, rawBody, contentType, fields, secret, receivedAt });
	switch (result.kind) {
		case 'misconfigured':
			ctx.logger.error(
				`Personalization Trigger "${ctx.getNode().name}" (workflow ${ctx.getWorkflow().id ?? '?'}): ${result.message}. ` +
					'Put the secret Render Email signs the links with in the Personalization Webhook Secrets credential\'s Signing Secret.',
			);
			answerText(res, 500, 'The unsubscribe link is not configured correctly.', 'text/plain');
			return { kind: 'answered' };
		case 'rejected':
			if (result.html) answerText(res, result.status, INVALID_LINK_PAGE, 'text/html');
			else answerText(res, result.status, `${result.status === 403 ? 'Forbidden' : 'Bad request'}: ${result.message}`, 'text/plain');
			return { kind: 'answered' };
		case 'page':
			answerText(res, 200, result.html, 'text/html');
			return { kind: 'answered' };
		case 'events':
			return { kind: 'events', events: result.events, payload: undefined };
	}
}

/**
 * The fresh events of a delivery by the shared PostgreSQL memory (engines/events/sharedDedupe.ts);
 * 'misconfigured' only when the node's own settings are wrong: the Duplicate Table Prefix is not
 * allowed, or no PostgreSQL credential is selected (the caller answers 500, as for a missing
 * secret). 'unavailable' when n8n cannot hand over the selected credential (getCredentials throws:
 * n8n's own database failing, say, in queue mode; a credential since deleted looks the same from
 * here) or the database cannot be reached or refuses (the caller answers 503: the sender retries,
 * so a passing failure costs no event). Either way the reason goes to the n8n log, naming the
 * option, without the credential's password.
 */
async function sharedDuplicates<E extends { messageId: string; properties?: Record<string, unknown> | null }>(
	ctx: IWebhookFunctions,
	events: E[],
	source: string,
	scope: string,
	now: number,
	windowMs: number,
	deliveryKeys: readonly string[],
	options: IDataObject,
): Promise<{ fresh: E[]; duplicates: number } | 'misconfigured' | 'unavailable'> {
	const where = `Personalization Trigger "${ctx.getNode().name}" (workflow ${ctx.getWorkflow().id ?? '?'})`;
	const misconfigured = (reason: string) => {
		ctx.logger.error(`${where}: Duplicate Memory = PostgreSQL is not configured correctly: ${reason}. Answered 500 without running the workflow.`);
		return 'misconfigured' as const;
	};
	const prefix = String(options.dedupeTablePrefix ?? '').trim() || 'pz_';
	try {
		validPrefix(prefix);
	} catch (error) {
		return misconfigured(`Options → Duplicate Table Prefix: ${(error as Error).message}`);
	}
	const credentialId = ctx.getNode().credentials?.personalizationPostgresApi;
	if (!credentialId) return misconfigured('no Personalization PostgreSQL API credential is selected');
	let credential: ICredentialDataDecryptedObject;
	try {
		credential = await ctx.getCredentials<ICredentialDataDecryptedObject>('personalizationPostgresApi');
	} catch (error) {
		ctx.logger.error(
			`${where}: n8n could not read the Personalization PostgreSQL API credential selected for Duplicate Memory = PostgreSQL: ${errorMessage(error)}. Answered 503 without running the workflow; the sender will retry.`,
		);
		return 'unavailable';
	}
	const connection = postgresConnection(credential, credentialId.id ?? undefined);
	const { keys, perEvent } = deliveryDedupeKeys(source, events, deliveryKeys);
	try {
		const memory = sharedDedupeMemory(postgresPool(connection), prefix);
		const seen = await memory.check(scope, keys, now, windowMs);
		return freshEvents(events, perEvent, seen, deliveryKeys.length);
	} catch (error) {
		let message = errorMessage(error);
		if (connection.password) message = message.split(connection.password).join('***');
		ctx.logger.error(`${where}: the PostgreSQL duplicate memory failed: ${message}. Answered 503 without running the workflow; the sender will retry.`);
		return 'unavailable';
	}
}

/** The TopicArn that an SNS SubscribeURL confirms (its `TopicArn` query parameter). */
function subscribeUrlTopic(url: string): string | undefined {
	try {
		return new URL(url).searchParams.get('TopicArn') ?? undefined;
	} catch {
		return undefined;
	}
}
