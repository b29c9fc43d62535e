/**
 * Render Email's signed unsubscribe link: Options → Signed Unsubscribe Link Base URL (the
 * Personalization Trigger's Unsubscribe Link production URL) and the Personalization Webhook
 * Secrets credential's Signing Secret make each recipient's `unsubscribe_url`
 * `<base>?e=<address>&t=<token>[&s=<scope>]` (engines/types/unsubscribeLink.ts), which the trigger
 * verifies. The secret never leaves this module: no output, error or log carries it.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { isOneClickUnsubscribeUrl, unsubscribeUrlProblem } from '../../engines/dispatch/engine';
import { MIN_UNSUBSCRIBE_SECRET_LENGTH, signedAddress, unsubscribeUrl } from '../../engines/types/unsubscribeLink';

export type SecretReader = (i: number) => Promise<string>;

export const signedLinkOptions: INodeProperties[] = [
	{
		displayName: 'Signed Unsubscribe Link Base URL',
		name: 'signedUnsubscribeBaseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/1a2b3c/unsubscribe',
		description:
			"The Production URL of a Personalization Trigger with source Unsubscribe Link (One-Click). Each recipient's unsubscribe_url becomes this URL with ?e=<address>&t=<token>, signed with the Signing Secret of the Personalization Webhook Secrets credential (select the same credential as on the trigger). Replaces Unsubscribe URL.",
	},
	{
		displayName: 'Signed Unsubscribe Link Email',
		name: 'signedUnsubscribeEmail',
		type: 'string',
		default: '={{ $json.email || $json.profile?.email }}',
		description: "The address the signed link unsubscribes: by default the item's email, else its profile's (what ESP Dispatch sends to)",
	},
	{
		displayName: 'Signed Unsubscribe Link Scope',
		name: 'signedUnsubscribeScope',
		type: 'string',
		default: '',
		placeholder: 'e.g. newsletter',
		description: 'Optional list or category the link unsubscribes from (recorded as properties.scope). Empty: every email.',
	},
];

/** The item's address by the node's default rule: its `email`, else `profile.email`. */
function defaultAddress(json: IDataObject): unknown {
	const profile = json.profile;
	return json.email || (profile && typeof profile === 'object' && !Array.isArray(profile) ? (profile as IDataObject).email : undefined);
}

/** Item i's signed link, or undefined when Options → Signed Unsubscribe Link Base URL is empty. */
export async function signedUnsubscribeUrl(
	ctx: IExecuteFunctions,
	json: IDataObject,
	i: number,
	options: IDataObject,
	readSecret: SecretReader,
): Promise<string | undefined> {
	const base = typeof options.signedUnsubscribeBaseUrl === 'string' ? options.signedUnsubscribeBaseUrl.trim() : '';
	if (!base) return undefined;
	const fail = (message: string, description: string) => new NodeOperationError(ctx.getNode(), `Item ${i}: ${message}`, { itemIndex: i, description });
	if (!isOneClickUnsubscribeUrl(base)) {
		throw fail(`"Signed Unsubscribe Link Base URL" must be an https:// URL without spaces: it ${unsubscribeUrlProblem(base)}`, 'Field: Options → Signed Unsubscribe Link Base URL. Paste the Production URL of the Personalization Trigger (source Unsubscribe Link).');
	}
	const given = 'signedUnsubscribeEmail' in options ? options.signedUnsubscribeEmail : defaultAddress(json);
	const address = signedAddress(given);
	if (address === null) {
		throw fail(
			given === undefined || given === null || given === '' ? 'no recipient address for the signed unsubscribe link' : 'the recipient address for the signed unsubscribe link is not an email address',
			"Field: Options → Signed Unsubscribe Link Email (default: the item's email, else profile.email).",
		);
	}
	const scope = typeof options.signedUnsubscribeScope === 'string' ? options.signedUnsubscribeScope : '';
	const secret = await readSecret(i);
	if (!secret) {
		throw fail('the Personalization Webhook Secrets credential has no Signing Secret to sign the unsubscribe link with', 'Select the credential the unsubscribe trigger uses, with its Signing Secret filled in.');
	}
	if (secret.length < MIN_UNSUBSCRIBE_SECRET_LENGTH) {
		throw fail(
			`the Personalization Webhook Secrets credential's Signing Secret is shorter than ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters: every recipient holds a signed link, so a short secret can be guessed and links forged for any address`,
			'Use a long random text as the Signing Secret, on this credential and on the unsubscribe trigger (the same credential).',
		);
	}
	let url: string;
	try {
		url = unsubscribeUrl(base, secret, address, scope);
	} catch (error) {
		// the engine's messages name neither the secret nor the address
		throw fail(`cannot build the signed unsubscribe link: ${(error as Error).message}`, 'Field: Options → Signed Unsubscribe Link Scope.');
	}
	if (!isOneClickUnsubscribeUrl(url)) {
		throw fail(`the signed unsubscribe link is not usable for List-Unsubscribe: it ${unsubscribeUrlProblem(url)}`, 'Field: Options → Signed Unsubscribe Link Base URL.');
	}
	return url;
}
