import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Mailgun API key (HTTP Basic auth, user "api") and sending domain, US or EU region.
 * https://documentation.mailgun.com/docs/mailgun/api-reference/authentication
 */
export class PersonalizationMailgunApi implements ICredentialType {
	name = 'personalizationMailgunApi';

	displayName = 'Personalization Mailgun API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://documentation.mailgun.com/docs/mailgun/api-reference/authentication';

	icon = { light: 'file:icons/mailgun.svg', dark: 'file:icons/mailgun.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			// https://documentation.mailgun.com/docs/mailgun/api-reference/authentication: a Domain Sending Key
			// only allows POST /messages and /messages.mime, so it cannot pass the GET /v3/domains/{domain} test.
			description:
				'A Mailgun API key, or a domain sending key (Send → Sending → Domain settings → Sending API keys). "Test credential" reads the domain, which needs an account API key: a sending key can send but fails that test.',
		},
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'mg.example.com',
			description: 'The sending domain registered in Mailgun',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			default: 'us',
			options: [
				{ name: 'US (api.mailgun.net)', value: 'us' },
				{ name: 'EU (api.eu.mailgun.net)', value: 'eu' },
			],
			description: 'Where the domain was created: EU domains must use the EU endpoint',
		},
		{
			displayName: 'Custom API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.mailgun.net',
			description: 'Leave empty to use the region\'s endpoint',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { auth: { username: 'api', password: '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{String($credentials.baseUrl || "").trim() || ($credentials.region === "eu" ? "https://api.eu.mailgun.net" : "https://api.mailgun.net")}}',
			url: '=/v3/domains/{{encodeURIComponent(String($credentials.domain || "").trim())}}',
			method: 'GET',
		},
	};
}
