/**
 * What the editor shows and flags for the two events nodes, computed with n8n-workflow's own
 * NodeHelpers (the functions the editor and workflow activation use for displayOptions and
 * "parameter required" issues) over the node descriptions as loaded from dist/.
 */
import type { INode, INodeParameters, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { loadPackage, P } from '../harness/engine';

async function description(name: string): Promise<INodeTypeDescription> {
	const pkg = await loadPackage();
	return pkg.nodeTypes.getByNameAndVersion(P + name).description;
}

/** The parameters as the editor stores them: defaults filled in, hidden ones left out. */
async function shown(name: string, values: INodeParameters): Promise<INodeParameters> {
	const desc = await description(name);
	return NodeHelpers.getNodeParameters(desc.properties, values, true, false, { typeVersion: 1 }, desc) ?? {};
}

async function parameterIssues(name: string, values: INodeParameters): Promise<string[]> {
	const desc = await description(name);
	const parameters = await shown(name, values);
	const node: INode = { id: 'n', name: 'n', type: P + name, typeVersion: 1, position: [0, 0], parameters };
	return Object.keys(NodeHelpers.getNodeParametersIssues(desc.properties, node, desc)?.parameters ?? {});
}

describe('Personalization Trigger parameters', () => {
	it('SES with Verify: "Allowed SNS Topic ARNs" is required, so an empty list (every message refused with 403) is flagged before activation', async () => {
		expect(await parameterIssues('personalizationTrigger', { source: 'ses' })).toEqual(['allowedTopicArns']);
		expect(await parameterIssues('personalizationTrigger', { source: 'ses', allowedTopicArns: 'arn:aws:sns:us-east-1:123456789012:ses-events' })).toEqual([]);
	});

	it('SES accepting unsigned requests: the topic list and the confirmation switch (both unused then) are hidden', async () => {
		const parameters = await shown('personalizationTrigger', { source: 'ses', signatureCheck: 'none' });
		expect(parameters).not.toHaveProperty('allowedTopicArns');
		expect(parameters).not.toHaveProperty('confirmSubscription');
		expect(await parameterIssues('personalizationTrigger', { source: 'ses', signatureCheck: 'none' })).toEqual([]);
	});

	it('other sources: no SNS fields and no parameter issues with the defaults', async () => {
		const parameters = await shown('personalizationTrigger', { source: 'shopify' });
		expect(parameters).not.toHaveProperty('allowedTopicArns');
		expect(parameters).not.toHaveProperty('confirmSubscription');
		expect(await parameterIssues('personalizationTrigger', { source: 'shopify' })).toEqual([]);
	});
});

describe('Normalize Event parameters', () => {
	it('Payload Field is shown only without a signature check (with Verify the Raw Body Field is parsed instead)', async () => {
		const none = await shown('normalizeEvent', { source: 'shopify' });
		expect(none).toMatchObject({ signatureCheck: 'none', payloadField: 'body', headersField: 'headers' });
		expect(none).not.toHaveProperty('rawBodyField');
		const verify = await shown('normalizeEvent', { source: 'shopify', signatureCheck: 'verify' });
		expect(verify).toMatchObject({ rawBodyField: 'data', headersField: 'headers' });
		expect(verify).not.toHaveProperty('payloadField');
	});
});
