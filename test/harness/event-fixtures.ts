/** Documented provider payloads (test/fixtures/events) as fresh copies, and one source's mapping run on them. */
import { getSource } from '../../nodes/engines/events/registry';
import type { NormalizeInput } from '../../nodes/engines/events/types';
import { loadFixtures } from './signing';

export const FIXTURE_RECEIVED_AT = new Date('2026-01-01T00:00:00.000Z');

let fixtures: ReturnType<typeof loadFixtures> | undefined;

/** A deep copy of the body of fixture `<source>/<name>.json` (tests may change it). */
export function fixtureBody(source: string, name: string): Record<string, unknown> {
	fixtures ??= loadFixtures();
	const f = fixtures.find((x) => x.source === source && x.name === name);
	if (!f) throw new Error(`no fixture ${source}/${name}`);
	return structuredClone(f.fixture.body) as Record<string, unknown>;
}

/** The source's mapping on a payload, received at FIXTURE_RECEIVED_AT. */
export function normalizeAs(source: string, payload: unknown, onUnknown: NormalizeInput['onUnknown'] = 'skip') {
	return getSource(source)!.normalize({ payload, receivedAt: FIXTURE_RECEIVED_AT, onUnknown });
}
