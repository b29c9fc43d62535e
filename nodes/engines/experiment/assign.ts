/**
 * Deterministic variant assignment: SHA-256 of `<experiment id>:<customer id>` → a number
 * in [0, 1) from its first 48 bits. The same customer always lands in the same variant of
 * the same experiment, on every execution and every worker (no state, no randomness), and
 * different experiments split customers independently.
 *
 * The holdout (if any) takes the bottom `holdoutPercent` of [0, 1); the rest is split by
 * the variants' weights in the order given. Changing weights moves only the customers near
 * the changed boundaries; adding a holdout or reordering variants reshuffles more.
 */
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../events/util';

export interface VariantSpec {
	name: string;
	weight: number;
}

export interface AssignConfig {
	experimentId: string;
	variants: VariantSpec[];
	/** 0..100: share of customers kept out of the experiment (they get no treatment). Default 0. */
	holdoutPercent?: number;
	/** Name of the holdout group. Default 'holdout'. */
	holdoutName?: string;
}

export interface Assignment {
	experiment: string;
	variant: string;
	holdout: boolean;
	/** The customer's position in [0, 1). */
	bucket: number;
}

export class AssignError extends Error {}

/** The holdout group's variant name (Assign's holdout customers; the node has no parameter to rename it). */
export const DEFAULT_HOLDOUT_NAME = 'holdout';

export function bucketOf(experimentId: string, customerId: string): number {
	const digest = createHash('sha256').update(`${experimentId}:${customerId}`, 'utf8').digest();
	return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The customer id as node version 1.1 hashes it: an email-like id (one `@` with text on either
 * side and no white space) trimmed and lower-cased, as the canonical event's `email` is
 * (normalizeEmail), so `Ann@X.com` and `ann@x.com` are one customer; any other id as it is.
 * Version 1 hashes the id as written (apart from surrounding spaces) and must keep doing so:
 * its customers' variants would move.
 */
export function normalizeCustomerId(customerId: string): string {
	return normalizeEmail(customerId) ?? customerId;
}

export function validateConfig(config: AssignConfig): void {
	if (!config.experimentId || !config.experimentId.trim()) throw new AssignError('Experiment ID is empty');
	if (!Array.isArray(config.variants) || config.variants.length === 0) throw new AssignError('Add at least one variant');
	const names = new Set<string>();
	for (const v of config.variants) {
		if (!v.name || !v.name.trim()) throw new AssignError('Every variant needs a name');
		if (names.has(v.name)) throw new AssignError(`Variant "${v.name}" is listed twice`);
		names.add(v.name);
		if (!(Number.isFinite(v.weight) && v.weight >= 0)) throw new AssignError(`Variant "${v.name}": weight must be a number >= 0`);
	}
	if (!config.variants.some((v) => v.weight > 0)) throw new AssignError('At least one variant needs a weight above 0');
	// each share is weight / total: a total that overflows to Infinity would make every share 0
	if (!Number.isFinite(config.variants.reduce((s, v) => s + v.weight, 0))) throw new AssignError('The variant weights are too large: their total must be a finite number');
	const h = config.holdoutPercent ?? 0;
	if (!(h >= 0 && h < 100)) throw new AssignError('Holdout % must be at least 0 and below 100');
	// Refused with or without a holdout: a variant called "holdout" would be mailed (is_holdout false)
	// and left out of Analyze by its default Exclude Variants, so the name would do the opposite of what it says.
	const holdoutName = config.holdoutName ?? DEFAULT_HOLDOUT_NAME;
	const clash = config.variants.find((v) => v.name.trim().toLowerCase() === holdoutName.toLowerCase());
	if (clash) {
		throw new AssignError(
			`Variant "${clash.name}" is named like the holdout group ("${holdoutName}"), which gets no email: set Holdout % to keep customers out of the email, or give this variant another name`,
		);
	}
}

export function assign(customerId: string, config: AssignConfig): Assignment {
	const u = bucketOf(config.experimentId, customerId);
	const holdout = (config.holdoutPercent ?? 0) / 100;
	if (u < holdout) return { experiment: config.experimentId, variant: config.holdoutName ?? DEFAULT_HOLDOUT_NAME, holdout: true, bucket: u };
	const x = (u - holdout) / (1 - holdout);
	const total = config.variants.reduce((s, v) => s + v.weight, 0);
	let cum = 0;
	let chosen = [...config.variants].reverse().find((v) => v.weight > 0)!.name;
	for (const v of config.variants) {
		cum += v.weight / total;
		if (v.weight > 0 && x < cum) {
			chosen = v.name;
			break;
		}
	}
	return { experiment: config.experimentId, variant: chosen, holdout: false, bucket: u };
}
