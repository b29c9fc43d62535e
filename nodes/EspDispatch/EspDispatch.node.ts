import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { PROVIDERS } from '../engines/dispatch/registry';
import { STARTTLS_REQUIRED, verifySmtp } from '../engines/dispatch/smtp';
import { POSTGRES_CREDENTIAL_TEST, testPostgresCredential } from '../shared/postgres';
import * as forget from './actions/forget.operation';
import * as memory from './actions/memory';
import { router } from './actions/router';
import * as send from './actions/send.operation';

const providers = Object.values(PROVIDERS);

export class EspDispatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ESP Dispatch',
		name: 'espDispatch',
		icon: { light: 'file:espDispatch.svg', dark: 'file:espDispatch.dark.svg' },
		group: ['output'],
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] === "forget" ? "forget sent keys" : "send via " + $parameter["provider"]}}',
		description: 'Send personalized email through SendGrid, Postmark, SMTP and more with batching, rate limits, retries and no duplicates',
		defaults: { name: 'ESP Dispatch' },
		usableAsTool: true,
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node -- superseded by n8n's node-connection-type-literal rule
		inputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- superseded by n8n's node-connection-type-literal rule
		outputs: [NodeConnectionTypes.Main],
		// One line per provider (the credential type in engines/dispatch/registry.ts).
		credentials: [
			{ name: 'personalizationSendGridApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['sendgrid'] } } },
			{ name: 'personalizationPostmarkApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['postmark'] } } },
			{ name: 'personalizationMailgunApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['mailgun'] } } },
			{ name: 'personalizationSesApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['ses'] } } },
			{ name: 'personalizationBrevoApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['brevo'] } } },
			{ name: 'personalizationMandrillApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['mandrill'] } } },
			{ name: 'personalizationResendApi', required: true, displayOptions: { show: { operation: ['send'], provider: ['resend'] } } },
			{ name: 'personalizationSmtpApi', required: true, testedBy: 'personalizationSmtpConnectionTest', displayOptions: { show: { operation: ['send'], provider: ['smtp'] } } },
			// Sent-Key Memory = Customer Profile Store on PostgreSQL (actions/memory.ts); testedBy = POSTGRES_CREDENTIAL_TEST, written out for the community-node lint
			{ name: 'personalizationPostgresApi', required: true, testedBy: 'personalizationPostgresConnectionTest', displayOptions: { show: { sentKeyMemory: ['profileStore'], storage: ['postgres'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'send',
				options: [
					{ name: 'Send Emails', value: 'send', action: 'Send emails', description: 'Send one email per item, batched, rate limited and never twice' },
					{ name: 'Forget Sent Keys', value: 'forget', action: 'Forget sent keys', description: 'Remove idempotency keys from the duplicate memory so they can be sent again' },
				],
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				default: 'sendgrid',
				displayOptions: { show: { operation: ['send'] } },
				options: providers.map((p) => ({ name: p.displayName, value: p.id })),
				description: 'Email service provider that sends the messages',
			},
			...send.description,
			...forget.description,
			...memory.description,
		],
	};

	methods = {
		credentialTest: {
			[POSTGRES_CREDENTIAL_TEST]: testPostgresCredential,
			async personalizationSmtpConnectionTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = (credential.data ?? {}) as ICredentialDataDecryptedObject;
				try {
					await verifySmtp({
						host: String(data.host ?? ''),
						port: Number(data.port ?? 587),
						secure: Boolean(data.secure),
						user: data.user ? String(data.user) : undefined,
						password: data.password === undefined ? undefined : String(data.password),
						allowUnauthorizedCerts: Boolean(data.ignoreSslIssues),
						allowLoginWithoutTls: Boolean(data.allowLoginWithoutTls),
					});
					return { status: 'OK', message: 'Connection successful' };
				} catch (error) {
					const e = error as { code?: string; responseCode?: number; message?: string };
					if (e.code === STARTTLS_REQUIRED) return { status: 'Error', message: `SMTP connection failed: ${e.message}` };
					return { status: 'Error', message: `SMTP connection failed: ${e.responseCode ?? e.code ?? 'error'}` };
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
