/**
 * An email address as the store keys it: trimmed and lower-cased; and when it is written as a
 * mailbox with a display name, RFC 5322 name-addr `Ann Lee <ann@example.com>`
 * (https://www.rfc-editor.org/rfc/rfc5322#section-3.4), as CRMs and address fields copied from a
 * header give it, the address inside the last `<…>` (a quoted display name may itself hold `<`).
 * Without this, `Ann Lee <ann@example.com>` was an identity of its own: Get Profile and Check
 * Suppression did not find ann@example.com's profile, bounce or unsubscribe under it.
 * A plain address never ends with `>`, so it is only trimmed and lowered.
 */
export function emailKey(value: string): string {
	const text = value.trim();
	if (text.endsWith('>')) {
		const open = text.lastIndexOf('<');
		const inner = open >= 0 ? text.slice(open + 1, -1).trim() : '';
		if (inner.includes('@')) return inner.toLowerCase();
	}
	return text.toLowerCase();
}
