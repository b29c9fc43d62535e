/**
 * The engine's transport inside n8n: `httpRequestWithAuthentication`, so the credential's own
 * `authenticate` adds the secret (it never passes through the engine or a provider).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { requesterTransport } from '../engines/dispatch/transport';
import type { Transport } from '../engines/dispatch/types';

export function makeTransport(ctx: IExecuteFunctions, credentialType: string, timeoutMs: number): Transport {
	return requesterTransport(async (request, headers) =>
		await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
			method: request.method,
			url: request.url,
			headers,
			body: request.body,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
			encoding: 'text',
			json: false,
		}),
	);
}
