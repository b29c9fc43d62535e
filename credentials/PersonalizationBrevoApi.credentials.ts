import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** Brevo API v3 key (`api-key` header). https://developers.brevo.com/docs/authentication-schemes */
export class PersonalizationBrevoApi implements ICredentialType {
	name = 'personalizationBrevoApi';

	displayName = 'Personalization Brevo API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://developers.brevo.com/docs/authentication-schemes';

	icon = { light: 'file:icons/brevo.svg', dark: 'file:icons/brevo.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'xkeysib-…',
			description: 'A Brevo API v3 key (SMTP & API → API Keys)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.brevo.com',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'api-key': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{String($credentials.baseUrl || "").trim() || "https://api.brevo.com"}}', url: '/v3/account', method: 'GET', headers: { Accept: 'application/json' } },
	};
}
