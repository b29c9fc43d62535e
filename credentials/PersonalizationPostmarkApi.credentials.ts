import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** Postmark Server API token. https://postmarkapp.com/developer/api/overview#authentication */
export class PersonalizationPostmarkApi implements ICredentialType {
	name = 'personalizationPostmarkApi';

	displayName = 'Personalization Postmark API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://postmarkapp.com/developer/api/overview#authentication';

	icon = { light: 'file:icons/postmark.svg', dark: 'file:icons/postmark.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Server API Token',
			name: 'serverToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The Server API token of the Postmark server that sends the mail (Servers → API Tokens)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.postmarkapp.com',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-Postmark-Server-Token': '={{$credentials.serverToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{String($credentials.baseUrl || "").trim() || "https://api.postmarkapp.com"}}', url: '/server', method: 'GET', headers: { Accept: 'application/json' } },
	};
}
