import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Secrets that incoming webhooks are verified with. Which field a source uses:
 * Signing Secret: Shopify, WooCommerce, Stripe (whsec_…), Segment, Mailgun (webhook signing key),
 * Resend (whsec_…), Custom, Unsubscribe Link (and Render Email's signed links). Verification Key: SendGrid. User + Password: Postmark, Brevo, RudderStack.
 * Token: Brevo, RudderStack. "Test" checks the values locally (nothing is called: the providers
 * call us), via the nodes' credential test.
 */
export class PersonalizationWebhookApi implements ICredentialType {
	name = 'personalizationWebhookApi';

	displayName = 'Personalization Webhook Secrets API';

	icon = { light: 'file:personalizationWebhook.svg', dark: 'file:personalizationWebhook.dark.svg' } as const;

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a community package links a full URL (the camelCase slug form is for n8n's own repository)
	documentationUrl = 'https://github.com/n8n-nodes-personalization/n8n-nodes-personalization#events-in-personalization-trigger-and-normalize-event';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Shopify / WooCommerce webhook secret, Stripe or Resend "whsec_…" signing secret, Segment shared secret, Mailgun HTTP webhook signing key, the Custom source\'s HMAC key, or the key unsubscribe links are signed with (Unsubscribe Link source and Render Email: a long random text of your own, the same on both)',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- a public key, masked anyway as n8n-nodes-base's rule requires for "key" fields
		{
			displayName: 'SendGrid Verification Key',
			name: 'verificationKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…',
			description: 'Public key shown under Mail Settings → Signed Event Webhook (base64, or PEM)',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Basic auth user you put in the webhook URL (Postmark, Brevo, RudderStack)',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Basic auth password you put in the webhook URL (Postmark, Brevo, RudderStack)',
		},
		{
			displayName: 'Bearer Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Token the sender puts in "Authorization: Bearer …" (Brevo, RudderStack)',
		},
	];
}
