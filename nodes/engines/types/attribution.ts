/**
 * Attribution: the keys ESP Dispatch writes into each provider's custom args / tags /
 * metadata, and that Normalize Event reads back from engagement webhooks, so an open or a
 * click is tied to the campaign, variant, segment and message that caused it.
 *
 * Keys are prefixed so they never collide with a provider's own fields. On the canonical
 * event they land in `properties` under the names on the right.
 */
export const ATTRIBUTION_KEYS = {
	/** Our message id (one per recipient and send): properties.email_id */
	messageId: 'pz_message_id',
	/** properties.campaign_id */
	campaignId: 'pz_campaign_id',
	/** properties.variant */
	variant: 'pz_variant',
	/** properties.segment */
	segment: 'pz_segment',
	/** properties.experiment_id */
	experimentId: 'pz_experiment_id',
} as const;

export type AttributionKey = keyof typeof ATTRIBUTION_KEYS;

/**
 * The recipient's userId (ESP Dispatch 1.1: the item's own userId, else Get Profile's
 * profile.userId). The engagement sources read it (userIdOf) into `properties.user_id`, not the
 * event's top-level `userId`: the event still folds into the profile of the address it reached
 * (see engagementEvent), and A/B Experiment Analyze joins by it. Each provider writes it only
 * within its documented limits (see the providers) and leaves it out otherwise; SES and Resend tags
 * carry it tag-safe (encodeTagValue).
 */
export const USER_ID_KEY = 'pz_user_id';

/** Canonical property name for each attribution key. */
export const ATTRIBUTION_PROPERTIES: Record<AttributionKey, string> = {
	messageId: 'email_id',
	campaignId: 'campaign_id',
	variant: 'variant',
	segment: 'segment',
	experimentId: 'experiment_id',
};

export interface Attribution {
	messageId?: string;
	campaignId?: string;
	variant?: string;
	segment?: string;
	experimentId?: string;
	/** Written as USER_ID_KEY (pz_user_id), after the other keys. */
	userId?: string;
}

/** Attribution → flat provider metadata (`{ pz_campaign_id: 'spring', ... }`), empty values left out. */
export function attributionToMetadata(attribution: Attribution): Record<string, string> {
	const out: Record<string, string> = {};
	for (const key of Object.keys(ATTRIBUTION_KEYS) as AttributionKey[]) {
		const value = attribution[key];
		if (value !== undefined && value !== null && value !== '') out[ATTRIBUTION_KEYS[key]] = String(value);
	}
	const userId = attribution.userId;
	if (userId !== undefined && userId !== null && userId !== '') out[USER_ID_KEY] = String(userId);
	return out;
}

/** Provider metadata (any object that may hold `pz_*` keys) → canonical properties. */
export function metadataToProperties(metadata: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	addAttribution(out, metadata);
	return out;
}

/**
 * Writes the canonical properties of the `pz_*` keys of `metadata` into `out` (what
 * `Object.assign(out, metadataToProperties(metadata))` does): non-empty strings as they are,
 * numbers as text, in the order of ATTRIBUTION_KEYS. The five names are read as constants (no
 * key list, no intermediate object): it runs for every engagement event. With `encoded` (a
 * carrier ESP Dispatch writes in ASCII or tag-safe: Resend's tags) a string starting with `b64-` is
 * read through decodeAttributionValue, with `'variable'` (Mailgun's variables) through
 * decodeVariableAttributionValue; any other costs one startsWith test.
 */
export function addAttribution(out: Record<string, unknown>, metadata: unknown, encoded: boolean | 'variable' = false): void {
	if (typeof metadata !== 'object' || metadata === null) return;
	const source = metadata as Record<string, unknown>;
	let value = source.pz_message_id;
	if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.email_id = typeof value === 'string' ? carriedValue(value, encoded) : String(value);
	value = source.pz_campaign_id;
	if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.campaign_id = typeof value === 'string' ? carriedValue(value, encoded) : String(value);
	value = source.pz_variant;
	if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.variant = typeof value === 'string' ? carriedValue(value, encoded) : String(value);
	value = source.pz_segment;
	if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.segment = typeof value === 'string' ? carriedValue(value, encoded) : String(value);
	value = source.pz_experiment_id;
	if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.experiment_id = typeof value === 'string' ? carriedValue(value, encoded) : String(value);
}

/**
 * A carried string as a property: read through decodeAttributionValue when the carrier is one ESP
 * Dispatch writes encoded (a startsWith test for a value without `b64-`), through
 * decodeVariableAttributionValue for Mailgun's variables (`'variable'`), else as it is.
 */
export function carriedValue(value: string, encoded: boolean | 'variable'): string {
	return encoded === 'variable' ? decodeVariableAttributionValue(value) : encoded ? decodeAttributionValue(value) : value;
}

/**
 * The userId a provider's metadata carries (`pz_user_id`): a non-empty string as it is, a safe
 * integer as text (Mailgun calls its custom data JSON and may give `123` back as a number), else
 * null: a larger or fractional number may no longer be the id that was sent, and a wrong userId
 * would join the event to another customer. One property read, no copy: it runs for
 * every engagement event.
 */
export function userIdOf(metadata: unknown): string | null {
	if (typeof metadata !== 'object' || metadata === null) return null;
	const value = (metadata as Record<string, unknown>).pz_user_id;
	return typeof value === 'string' ? (value !== '' ? value : null) : Number.isSafeInteger(value) ? String(value) : null;
}

/** Characters SES message tags and Resend tags allow in a value (and a name). */
const TAG_SAFE = /^[A-Za-z0-9_-]+$/;
/**
 * Marks a value written base64url-encoded in a tag or header carrier (encodeTagValue,
 * encodeHeaderValue): the userId and the five attribution values alike.
 */
export const ENCODED_PREFIX = 'b64-';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A value (the userId or an attribution value) as an SES message tag or Resend tag value can
 * carry it, reversibly: "only ASCII letters (a–z, A–Z), numbers (0–9), underscores (_), or dashes
 * (-)" (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html,
 * https://resend.com/docs/api-reference/emails/send-email, `tags`). A value of those characters
 * alone is written as it is (`cus_123`, a UUID, `spring-2025`); any other (`auth0|5f1b`, an
 * address, `spring.sale`, non-ASCII) as `b64-` + base64url of its UTF-8 bytes (RFC 4648 §5, whose
 * alphabet is exactly letters, digits, `-` and `_`), and so is one that itself starts with `b64-`,
 * so that reading is never ambiguous (decodeTagValue). Undefined for text that is not well-formed
 * UTF-16 (a lone surrogate has no UTF-8 form to carry). The provider still checks the length (≤ 256).
 */
export function encodeTagValue(value: string): string | undefined {
	return TAG_SAFE.test(value) && !value.startsWith(ENCODED_PREFIX) ? value : base64Value(value);
}

/**
 * Printable ASCII (RFC 5322 §2.2: a header field body is "printable US-ASCII characters" and
 * white space) without `"` and `\`, the characters JSON escapes: such a value is written into a
 * JSON header value exactly as it is.
 */
const HEADER_SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A value (the userId or an attribution value) as a header carries it inside JSON (Brevo's
 * X-Mailin-custom, Mailgun's X-Mailgun-Variables), reversibly: printable ASCII without `"` and `\`
 * as it is; any other (non-ASCII, a control character, a quote or backslash), and one that itself
 * starts with `b64-`, in the `b64-` + base64url form of encodeTagValue, which decodeTagValue reads
 * back. Header values must be ASCII (RFC 5322 §2.2; other text needs RFC 2047 encoding), and Brevo
 * sends a custom header's non-ASCII characters as raw 8-bit UTF-8 whatever the caller encodes
 * (django-anymail's Brevo backend and docs, "Metadata and extra_headers values must be ASCII"),
 * which can bounce the message (django-anymail refuses a value holding a JSON `\u` escape for Brevo
 * as well, so escaping is no way around it). Undefined for text that is not well-formed UTF-16.
 */
export function encodeHeaderValue(value: string): string | undefined {
	return HEADER_SAFE.test(value) && !value.startsWith(ENCODED_PREFIX) ? value : base64Value(value);
}

/** White space JSON allows before a value (RFC 8259 §2), then the first character of a JSON value. */
const JSON_START = /^[\t\n\r ]*[-0-9tfn[{"]/;

/**
 * Whether a value is JSON text (RFC 8259) that reads as something other than the same text: a
 * number not written as JavaScript writes a safe integer (`1e3`, `1.0`, `-0`, `0.5`; `007` is no
 * JSON), `true`, `false`, `null`, an object, an array, a string in quotes, any of them with white
 * space around. A canonical safe integer (`123`, `-5`) is not: both readers of a number give it back
 * as the same text (addAttribution `String(value)`, userIdOf a safe integer as `String(value)`).
 */
function readsAsOtherJson(value: string): boolean {
	if (!JSON_START.test(value)) return false;
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch {
		return false;
	}
	return !(Number.isSafeInteger(parsed) && String(parsed) === value);
}

/**
 * A value (the userId or an attribution value) as a Mailgun custom variable (`v:`) carries it,
 * reversibly. Mailgun's variables are JSON (X-Mailgun-Variables "must be in JSON map format",
 * https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-attachments,
 * whose example `{"my_message_id": 123}` carries a number; django-anymail stopped sending Mailgun
 * metadata as JSON values and sends strings, "if you want to store JSON in metadata, you should
 * serialize and deserialize it yourself"). Whether Mailgun reads a `v:` form value that is JSON text
 * as JSON is not documented either way (not checked against the live service), so a value that is
 * valid JSON is taken to possibly come back
 * in the webhook's `user-variables` as a number, a boolean, null or an object: `1e3` as 1000 (read
 * back "1000"), `1.0` as 1 ("1"), `true` or `{…}` (not read back at all). Such a value (readsAsOtherJson)
 * is written `b64-` + base64url; any other as encodeHeaderValue writes it (the header is ASCII). One
 * rule for every key, so that decodeVariableValue can tell what was written without knowing the key: a
 * campaign `1.5` is written encoded too, though addAttribution would read the number 1.5 back as
 * "1.5" (userIdOf would not: it takes only safe integers). Plain ids such as `123` and `cus_1` stay
 * as they are.
 */
export function encodeVariableValue(value: string): string | undefined {
	const written = encodeHeaderValue(value);
	return written === value && readsAsOtherJson(value) ? base64Value(value) : written;
}

/** `b64-` + base64url of the UTF-8 bytes; undefined for text that is not well-formed UTF-16. */
function base64Value(value: string): string | undefined {
	const bytes = Buffer.from(value, 'utf8');
	if (bytes.toString('utf8') !== value) return undefined;
	return ENCODED_PREFIX + bytes.toString('base64url');
}

/**
 * The value a tag or header value carries (what encodeTagValue or encodeHeaderValue wrote: SES and
 * Resend tags, Brevo's X-Mailin-custom): a value without the `b64-` prefix as it is; with it, the
 * decoded text when it is exactly what those write for that text (canonical base64url of
 * well-formed UTF-8 of a value that needed encoding: both write the same `b64-` form, and any text
 * the header form encodes the tag form encodes too), else null: a value this package did not write
 * is not guessed at. Mailgun's variables, which also encode JSON text such as `true`, are read by
 * decodeVariableValue: `b64-dHJ1ZQ` is no form these carriers are written in, so here it is null.
 */
export function decodeTagValue(value: string): string | null {
	return decodeWritten(value, (text) => encodeTagValue(text) === value);
}

/**
 * The value a Mailgun custom variable carries (what encodeVariableValue wrote, or encodeHeaderValue
 * before it): what decodeTagValue reads, and also the `b64-` form encodeVariableValue gives JSON
 * text (`b64-dHJ1ZQ` reads `true`). Only the Mailgun source reads so: no other carrier is written in
 * that form, so there such a value is one this package did not write, kept as it came.
 */
export function decodeVariableValue(value: string): string | null {
	return decodeWritten(value, (text) => encodeTagValue(text) === value || encodeVariableValue(text) === value);
}

/**
 * A `b64-` value decoded when `written` says a writer gives exactly it for the decoded text (not
 * empty), else null; any other value as it is.
 */
function decodeWritten(value: string, written: (text: string) => boolean): string | null {
	if (!value.startsWith(ENCODED_PREFIX)) return value;
	let text: string;
	try {
		text = strictUtf8.decode(Buffer.from(value.slice(ENCODED_PREFIX.length), 'base64url'));
	} catch {
		return null;
	}
	return text !== '' && written(text) ? text : null;
}

/**
 * An attribution value (campaign, variant, segment, experiment, message id) read from a carrier
 * ESP Dispatch writes encoded (Brevo's X-Mailin-custom, SES and Resend tags; Mailgun's variables
 * through decodeVariableAttributionValue): decoded when it is a `b64-` form decodeTagValue accepts,
 * else as it is. Unlike the userId (which
 * is dropped then: a wrong one would join the event to another customer), a `b64-` value this
 * package did not write (one sent before values were encoded, when `b64-x` went out as it is) is
 * kept as it came: it is the value as sent, and no other value reads as it. One startsWith test
 * and nothing more for a value without the prefix: it runs for every engagement event.
 */
export function decodeAttributionValue(value: string): string {
	return value.startsWith(ENCODED_PREFIX) ? (decodeTagValue(value) ?? value) : value;
}

/** decodeAttributionValue for Mailgun's variables (decodeVariableValue): a `b64-` value it did not write kept as it came. */
export function decodeVariableAttributionValue(value: string): string {
	return value.startsWith(ENCODED_PREFIX) ? (decodeVariableValue(value) ?? value) : value;
}
