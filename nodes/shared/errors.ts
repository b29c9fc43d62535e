/**
 * The message of anything thrown: its `message` when that is text, else the value as text. Not
 * `instanceof Error`: errors made by Node itself (a refused socket) or by n8n may come from another realm.
 */
export function errorMessage(error: unknown): string {
	const raw = (error as { message?: unknown } | null)?.message;
	return typeof raw === 'string' ? raw : String(error);
}
