/**
 * The provider registry and the node stay in step: every provider in the registry is offered
 * by the node's selector, asks for its own credential type (loaded from the built package, as
 * n8n loads it), and that credential type exists in this package with an icon and a test.
 */
import type { INodeType } from 'n8n-workflow';
import { PROVIDERS } from '../../nodes/engines/dispatch/registry';
import { loadPackage } from '../harness/engine';

describe('dispatch provider registry', () => {
	it('matches the node\'s provider options and credentials', async () => {
		const pkg = await loadPackage();
		const type = pkg.loader.nodeTypes.espDispatch.type as INodeType;
		const d = type.description;
		const selector = d.properties.find((p) => p.name === 'provider')!;
		expect((selector.options as Array<{ value: string }>).map((o) => o.value)).toEqual(Object.keys(PROVIDERS));
		for (const entry of Object.values(PROVIDERS)) {
			const cred = d.credentials!.find((c) => c.name === entry.credentialType);
			expect(cred).toBeDefined();
			expect(cred!.displayOptions?.show?.provider).toEqual([entry.id]);
			const credType = pkg.credentialTypes[entry.credentialType];
			expect(credType).toBeDefined();
			expect(credType.name.startsWith('personalization')).toBe(true);
			expect((credType as { iconUrl?: { light?: string; dark?: string } }).iconUrl).toMatchObject({ light: expect.stringMatching(/\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
			expect(Boolean(credType.test) || Boolean(cred!.testedBy)).toBe(true);
			if (entry.kind === 'http') {
				expect(entry.provider!.id).toBe(entry.id);
				expect(credType.authenticate).toBeDefined();
				// Settings copied from the credential must be declared, non-secret fields.
				for (const key of entry.settingsFromCredential) {
					const prop = credType.properties.find((p) => p.name === key);
					expect(prop).toBeDefined();
					expect(prop!.typeOptions?.password).toBeFalsy();
				}
			}
		}
	});
});
