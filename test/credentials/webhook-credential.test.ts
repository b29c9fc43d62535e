/**
 * "Test credential" of the Personalization Webhook Secrets credential, called the way n8n's
 * credentials tester calls a node's `credentialTest` method (`testedBy`), on both events nodes as
 * loaded from dist/ by n8n-core's package loader.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { loadPackage, P } from '../harness/engine';
import { SECRETS } from '../harness/signing';

type CredentialTest = (this: unknown, credential: unknown) => Promise<{ status: string; message: string }>;

async function credentialTest(nodeName: string): Promise<CredentialTest> {
	const pkg = await loadPackage();
	const type = pkg.nodeTypes.getByNameAndVersion(P + nodeName) as unknown as { methods: { credentialTest: Record<string, CredentialTest> } };
	return type.methods.credentialTest.personalizationWebhookApiTest;
}
const run = async (nodeName: string, data: ICredentialDataDecryptedObject) =>
	await (await credentialTest(nodeName)).call({}, { id: '1', name: 'Webhook secrets', type: 'personalizationWebhookApi', data });

describe.each(['personalizationTrigger', 'normalizeEvent'])('Webhook secrets credential test (%s)', (nodeName) => {
	const { username, password } = SECRETS.postmark;

	it('basic auth typed exactly: Ready', async () => {
		expect(await run(nodeName, { user: username, password })).toEqual({ status: 'OK', message: 'Ready: basic auth' });
	});

	it('a user or password with surrounding spaces is reported (basic auth compares them exactly), without echoing the password', async () => {
		// Postmark and Brevo send exactly what was typed in their webhook form; a space pasted into
		// n8n only would make every delivery a 401.
		const spacedPassword = await run(nodeName, { user: username, password: `${password} ` });
		expect(spacedPassword.status).toBe('Error');
		expect(spacedPassword.message).toContain('Password');
		expect(spacedPassword.message).not.toContain(password);
		const spacedUser = await run(nodeName, { user: `\n${username}`, password });
		expect(spacedUser.status).toBe('Error');
		expect(spacedUser.message).toContain('User');
	});
});
