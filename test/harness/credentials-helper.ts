/**
 * A credentials helper for tests: serves the credentials a test passes in (by credential
 * type name) and applies each credential type's own `authenticate` definition, generic or
 * function, the way n8n's server-side CredentialsHelper does.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';
import { Credentials } from 'n8n-core';

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		/** Per credential type, the error n8n's store throws instead (read at each call: a test may clear it). */
		private readonly failures: Record<string, Error> = {},
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const type = this.types[name];
		return type?.extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const type = this.types[typeName];
		const options = requestOptions as IHttpRequestOptions;
		if (!type?.authenticate) return options;
		if (typeof type.authenticate === 'function') {
			return await type.authenticate(credentials, options);
		}
		const auth = type.authenticate;
		if (auth.type !== 'generic') return options;
		const resolve = (value: unknown): unknown => resolveCredentialExpression(value, credentials);
		const props = auth.properties as Record<string, unknown>;
		for (const section of ['headers', 'qs', 'body'] as const) {
			const entries = props[section] as Record<string, unknown> | undefined;
			if (!entries) continue;
			const target = ((options as unknown as Record<string, unknown>)[section] ??= {}) as Record<
				string,
				unknown
			>;
			for (const [key, value] of Object.entries(entries)) target[key] = resolve(value);
		}
		if (props.auth) {
			const basic = props.auth as Record<string, unknown>;
			options.auth = {
				username: String(resolve(basic.username) ?? ''),
				password: String(resolve(basic.password) ?? ''),
			};
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new Credentials({ id: nodeCredentials.id ?? null, name: nodeCredentials.name }, type, '');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const failure = this.failures[type];
		if (failure) throw failure;
		const found = this.data[type];
		if (!found) throw new Error(`Test credentials of type "${type}" were not provided`);
		return found;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}
}

/**
 * Resolves the small expression forms credential definitions use:
 * `={{$credentials.apiKey}}` and `=Bearer {{$credentials.apiKey}}`.
 */
export function resolveCredentialExpression(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const template = value.slice(1);
	const whole = /^\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}$/.exec(template);
	if (whole) return credentials[whole[1]];
	return template.replace(/\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, key: string) =>
		String(credentials[key] ?? ''),
	);
}
