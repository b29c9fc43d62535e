/**
 * A local Postmark-compatible server for the node tests of a file: started before its tests,
 * stopped after them, emptied before each. Returns the credentials to run a workflow with and the
 * messages it accepted.
 */
import type { IDataObject } from 'n8n-workflow';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

export function usePostmarkServer() {
	let server: ProviderServer | undefined;
	beforeAll(async () => {
		server = await postmarkServer().start();
	});
	afterAll(async () => {
		await server?.stop();
	});
	beforeEach(() => server?.reset());
	const running = (): ProviderServer => {
		if (!server) throw new Error('the Postmark test server is not running');
		return server;
	};
	return {
		server: running,
		/** Run options credentials: the Postmark credential pointing at this server. */
		credentials: () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: running().url } }),
		/** The messages the server accepted, as sent. */
		sent: () => running().accepted.map((a) => a.message as IDataObject),
	};
}
