import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** Resend API key (Bearer). https://resend.com/docs/api-reference/introduction#authentication */
export class PersonalizationResendApi implements ICredentialType {
	name = 'personalizationResendApi';

	displayName = 'Personalization Resend API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://resend.com/docs/dashboard/api-keys/introduction';

	icon = { light: 'file:icons/resend.svg', dark: 'file:icons/resend.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 're_…',
			description:
				'A Resend API key. "Test credential" lists your domains, which needs a full-access key; a sending-access key can send but fails that test.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.resend.com',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{String($credentials.baseUrl || "").trim() || "https://api.resend.com"}}', url: '/domains', method: 'GET' },
	};
}
