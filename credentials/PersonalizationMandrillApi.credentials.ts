import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Mailchimp Transactional (Mandrill) API key. Mandrill takes the key in the JSON body (`key`),
 * so `authenticate` adds it there. https://mailchimp.com/developer/transactional/docs/fundamentals/#authentication
 */
export class PersonalizationMandrillApi implements ICredentialType {
	name = 'personalizationMandrillApi';

	displayName = 'Personalization Mailchimp Transactional (Mandrill) API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://mailchimp.com/developer/transactional/docs/fundamentals/#authentication';

	icon = { light: 'file:icons/mandrill.svg', dark: 'file:icons/mandrill.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A Mailchimp Transactional API key (Settings → SMTP & API Info)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://mandrillapp.com/api/1.0',
		},
	];

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const key = String(credentials.apiKey ?? '');
		const body = requestOptions.body;
		let payload: Record<string, unknown> = {};
		if (typeof body === 'string' && body.trim()) payload = JSON.parse(body) as Record<string, unknown>;
		else if (body && typeof body === 'object' && !Buffer.isBuffer(body)) payload = { ...(body as Record<string, unknown>) };
		const withKey = JSON.stringify({ key, ...payload });
		return {
			...requestOptions,
			headers: { ...(requestOptions.headers ?? {}), 'content-type': 'application/json' },
			body: typeof body === 'string' ? withKey : { key, ...payload },
		};
	}

	test: ICredentialTestRequest = {
		request: { baseURL: '={{String($credentials.baseUrl || "").trim() || "https://mandrillapp.com/api/1.0"}}', url: '/users/ping', method: 'POST', body: {} },
	};
}
