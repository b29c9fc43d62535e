/**
 * The message of anything thrown: its `message` when that is text, else the value as text. Not
 * `instanceof Error`: errors made by Node itself (a refused socket) or by n8n may come from another realm.
 */
export function errorMessage(error: unknown): string {
	const raw = (error as { message?: unknown } | null)?.message;
	return typeof raw === 'string' ? raw : String(error);
}

/** "Item 3" or "Items 0 to 999" (consecutive unless Continue On Fail took some out), else "Items 1, 4, 7": the items one call was for. */
export function itemsLabel(indexes: number[]): string {
	if (indexes.length === 1) return `Item ${indexes[0]}`;
	const consecutive = indexes[indexes.length - 1] - indexes[0] === indexes.length - 1;
	return consecutive ? `Items ${indexes[0]} to ${indexes[indexes.length - 1]}` : `Items ${indexes.join(', ')}`;
}
