import type { EventSource } from './types';
import { segment } from './sources/segment';

/** Every event source, by id. Adding a source: one file in sources/ and one line here. */
export const SOURCES: Readonly<Record<string, EventSource>> = {
	[segment.id]: segment,
};

export function getSource(id: string): EventSource | undefined {
	return Object.prototype.hasOwnProperty.call(SOURCES, id) ? SOURCES[id] : undefined;
}
