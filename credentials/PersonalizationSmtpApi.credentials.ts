import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** SMTP server account for ESP Dispatch (nodemailer pooled transport). Tested by the node's connection test. */
export class PersonalizationSmtpApi implements ICredentialType {
	name = 'personalizationSmtpApi';

	displayName = 'Personalization SMTP API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://nodemailer.com/smtp/';

	icon = { light: 'file:icons/smtp.svg', dark: 'file:icons/smtp.dark.svg' } as const;

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: '', required: true, placeholder: 'smtp.example.com' },
		{ displayName: 'Port', name: 'port', type: 'number', default: 587 },
		{
			displayName: 'SSL/TLS',
			name: 'secure',
			type: 'boolean',
			default: false,
			description: 'Whether to use TLS from the start (port 465). Leave off for STARTTLS on 587.',
		},
		{ displayName: 'User', name: 'user', type: 'string', default: '' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{
			displayName: 'Allow Login Without TLS (Insecure)',
			name: 'allowLoginWithoutTls',
			type: 'boolean',
			default: false,
			displayOptions: { show: { secure: [false] } },
			description:
				'Whether to send the user and password even when the server does not encrypt the connection with STARTTLS. Off: such a server stops the run and nothing is sent, since the password would cross the network readable. Turn on only for a server on a private network.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the server certificate cannot be validated',
		},
	];
}
