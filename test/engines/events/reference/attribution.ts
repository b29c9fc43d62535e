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
}

/** Attribution → flat provider metadata (`{ pz_campaign_id: 'spring', ... }`), empty values left out. */
export function attributionToMetadata(attribution: Attribution): Record<string, string> {
	const out: Record<string, string> = {};
	for (const key of Object.keys(ATTRIBUTION_KEYS) as AttributionKey[]) {
		const value = attribution[key];
		if (value !== undefined && value !== null && value !== '') out[ATTRIBUTION_KEYS[key]] = String(value);
	}
	return out;
}

/** Provider metadata (any object that may hold `pz_*` keys) → canonical properties. */
export function metadataToProperties(metadata: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (typeof metadata !== 'object' || metadata === null) return out;
	const source = metadata as Record<string, unknown>;
	for (const key of Object.keys(ATTRIBUTION_KEYS) as AttributionKey[]) {
		const value = source[ATTRIBUTION_KEYS[key]];
		if (typeof value === 'string' && value !== '') out[ATTRIBUTION_PROPERTIES[key]] = value;
		else if (typeof value === 'number') out[ATTRIBUTION_PROPERTIES[key]] = String(value);
	}
	return out;
}
