import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { signAwsRequest } from '../nodes/engines/dispatch/sigv4';

/**
 * Amazon SES (API v2): an IAM access key allowed to ses:SendEmail / ses:SendBulkEmail, and the
 * region. Every request is signed with AWS Signature Version 4 by `authenticate`.
 * https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
 */
export class PersonalizationSesApi implements ICredentialType {
	name = 'personalizationSesApi';

	displayName = 'Personalization Amazon SES API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- community package: a full URL (the rule is for n8n's main repository)
	documentationUrl = 'https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html';

	icon = { light: 'file:icons/ses.svg', dark: 'file:icons/ses.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: 'us-east-1',
			required: true,
			placeholder: 'eu-west-1',
			description: 'The AWS region of your SES identities (e.g. us-east-1, eu-west-1)',
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			description:
				'An IAM access key allowed ses:SendEmail (and ses:SendBulkEmail for provider templates). "Test credential" calls GetAccount, which also needs ses:GetAccount: a send-only key can send but fails that test.',
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary credentials (STS)',
		},
		{
			displayName: 'Custom Endpoint',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://email.eu-west-1.amazonaws.com',
			description: 'Leave empty to use https://email.{region}.amazonaws.com',
		},
	];

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		// as ESP Dispatch reads it: an emptied Region is us-east-1 (the field's default)
		const region = String(credentials.region ?? '').trim() || 'us-east-1';
		let url = requestOptions.url;
		if (!/^https?:\/\//i.test(url)) url = `${String(requestOptions.baseURL ?? '').replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
		const qs = requestOptions.qs as Record<string, string> | undefined;
		if (qs && Object.keys(qs).length) {
			const target = new URL(url);
			for (const [k, v] of Object.entries(qs)) target.searchParams.set(k, String(v));
			url = target.toString();
		}
		let body = '';
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(requestOptions.headers ?? {})) if (v !== undefined) headers[k] = String(v);
		if (typeof requestOptions.body === 'string') body = requestOptions.body;
		else if (requestOptions.body && typeof requestOptions.body === 'object' && Object.keys(requestOptions.body).length) {
			body = JSON.stringify(requestOptions.body);
			headers['content-type'] = 'application/json';
		}
		const signed = signAwsRequest(
			{ method: requestOptions.method ?? 'GET', url, headers, body },
			{
				accessKeyId: String(credentials.accessKeyId ?? '').trim(),
				secretAccessKey: String(credentials.secretAccessKey ?? ''),
				sessionToken: String(credentials.sessionToken ?? '') || undefined,
				region,
			},
			'ses',
			new Date(),
		);
		const options: IHttpRequestOptions = { ...requestOptions, url, headers: signed, body: body === '' ? undefined : body };
		delete options.baseURL;
		delete options.qs;
		return options;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{String($credentials.baseUrl || "").trim() || "https://email." + (String($credentials.region || "").trim() || "us-east-1") + ".amazonaws.com"}}',
			url: '/v2/email/account',
			method: 'GET',
		},
	};
}
