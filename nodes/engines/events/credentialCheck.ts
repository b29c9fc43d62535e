/**
 * Local check of the webhook secrets credential (there is nothing to call: providers call us).
 * Used by the nodes' credential test so "Test credential" says what is usable.
 */
import { isP256Key, readVerificationKey } from './signatures/sendgrid';

export interface WebhookSecretsInput {
	signingSecret?: unknown;
	verificationKey?: unknown;
	user?: unknown;
	password?: unknown;
	token?: unknown;
}

export function checkWebhookSecrets(input: WebhookSecretsInput): { ok: boolean; message: string } {
	const present: string[] = [];
	const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
	if (text(input.signingSecret)) present.push('signing secret');
	const key = text(input.verificationKey);
	if (key) {
		try {
			if (!isP256Key(readVerificationKey(key))) return { ok: false, message: 'The SendGrid verification key is not an elliptic-curve (P-256) public key' };
			present.push('SendGrid verification key');
		} catch {
			return { ok: false, message: 'The SendGrid verification key cannot be read: paste it exactly as SendGrid shows it' };
		}
	}
	if (text(input.user) || text(input.password)) {
		if (!text(input.user) || !text(input.password)) return { ok: false, message: 'Basic auth needs both a user and a password' };
		present.push('basic auth');
	}
	if (text(input.token)) present.push('bearer token');
	if (present.length === 0) return { ok: false, message: 'The credential is empty: fill in the field your source uses' };
	return { ok: true, message: `Ready: ${present.join(', ')}` };
}
