/**
 * Every ESP Dispatch provider, by id, with the credential type the node asks for and the
 * NON-SECRET credential fields the provider needs to build its requests (base URL, region,
 * domain...). Secrets never reach a provider: the n8n transport adds them through the
 * credential's own `authenticate`.
 *
 * Adding an HTTP provider: one file in providers/ and ONE line in PROVIDERS below (the node
 * builds its provider selector and credential list from this table). SMTP is not an HTTP
 * provider: the engine sends it through nodemailer (see smtp.ts), behind the same table.
 */
import type { EspProvider } from './types';
import { sendgrid } from './providers/sendgrid';
import { postmark } from './providers/postmark';
import { mailgun } from './providers/mailgun';
import { ses } from './providers/ses';
import { brevo } from './providers/brevo';
import { mandrill } from './providers/mandrill';
import { resend } from './providers/resend';
import { checkSmtpMessage } from './smtp';

export interface ProviderEntry {
	id: string;
	displayName: string;
	/** n8n credential type name (this package's, `personalization…`). */
	credentialType: string;
	/** Non-secret credential fields copied into ProviderSettings (e.g. baseUrl, region, domain). */
	settingsFromCredential: string[];
	/** 'http': plan/parse provider sent by the engine's HTTP path. 'smtp': nodemailer path. */
	kind: 'http' | 'smtp';
	/** The pure provider (kind 'http' only). */
	provider?: EspProvider;
	/** The documented per-message limits (EspProvider.check; SMTP's header lines), which need no credential. */
	check?: EspProvider['check'];
}

function http(provider: EspProvider, credentialType: string, settingsFromCredential: string[]): ProviderEntry {
	const check = provider.check ? provider.check.bind(provider) : undefined;
	return { id: provider.id, displayName: provider.displayName, credentialType, settingsFromCredential, kind: 'http', provider, check };
}

/** One line per provider. Order = order in the node's provider selector. */
export const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
	sendgrid: http(sendgrid, 'personalizationSendGridApi', ['baseUrl']),
	postmark: http(postmark, 'personalizationPostmarkApi', ['baseUrl']),
	mailgun: http(mailgun, 'personalizationMailgunApi', ['domain', 'region', 'baseUrl']),
	ses: http(ses, 'personalizationSesApi', ['region', 'baseUrl']),
	brevo: http(brevo, 'personalizationBrevoApi', ['baseUrl']),
	mandrill: http(mandrill, 'personalizationMandrillApi', ['baseUrl']),
	resend: http(resend, 'personalizationResendApi', ['baseUrl']),
	smtp: { id: 'smtp', displayName: 'SMTP', credentialType: 'personalizationSmtpApi', settingsFromCredential: [], kind: 'smtp', check: checkSmtpMessage },
};

export function getProvider(id: string): ProviderEntry | undefined {
	return Object.prototype.hasOwnProperty.call(PROVIDERS, id) ? PROVIDERS[id] : undefined;
}
