/**
 * Every parameter a template sets on a node of this package exists in that node's description at
 * the template's typeVersion, is shown there (its displayOptions hold for the node's other
 * values), and every fixed value of an options / multiOptions parameter is one of the
 * description's values: an import into n8n keeps exactly what the template says, and the editor
 * shows no "parameter issues". n8n itself drops a parameter its description does not have
 * (NodeHelpers.getNodeParameters, the function the editor and the engine use), so a stale name
 * in a template would be silently lost on import; this test names it instead.
 *
 * The n8n-nodes-base nodes the templates use (Filter, Wait, Schedule Trigger, Set, HTTP Request,
 * Stop and Error, Merge, No Operation, Sticky Note) are not installed in this repository: for them the test checks the
 * parameter names against the lists below, taken from n8n's own descriptions
 * (packages/nodes-base/nodes/…, n8n 2.x) at the versions the templates use; the end-to-end suite
 * imports every template into a real n8n 2.41.1 and the browser check opens the cart template.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { INode, INodeParameters, INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeType, INodeTypeDescription, IVersionedNodeType, NodeParameterValueType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { loadPackage, P, PACKAGE_ROOT } from '../harness/engine';

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
const templates = fs
	.readdirSync(TEMPLATES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((file) => ({ file, wf: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as { nodes: INode[]; connections: Record<string, { main: Array<Array<{ node: string }>> }> } }));

const isExpression = (v: unknown) => typeof v === 'string' && v.startsWith('=');

/** The description of a node type at one version. */
function descriptionAt(type: INodeType | IVersionedNodeType, version: number): INodeTypeDescription {
	if ('nodeVersions' in type) {
		const v = type.nodeVersions[version];
		if (!v) throw new Error(`version ${version} does not exist (${Object.keys(type.nodeVersions).join(', ')})`);
		return v.description;
	}
	const versions = Array.isArray(type.description.version) ? type.description.version : [type.description.version];
	if (!versions.includes(version)) throw new Error(`version ${version} does not exist (${versions.join(', ')})`);
	return type.description;
}

/**
 * What is wrong with `values` against `properties`: names no property has, properties set where
 * their displayOptions hide them, fixed values an options parameter does not offer.
 */
function problems(properties: INodeProperties[], values: INodeParameters, nodeValues: INodeParameters, node: INode, description: INodeTypeDescription, at: string): string[] {
	const found: string[] = [];
	for (const [name, value] of Object.entries(values)) {
		const candidates = properties.filter((p) => p.name === name);
		if (candidates.length === 0) {
			found.push(`${at}${name}: no such parameter`);
			continue;
		}
		// Top-level parameters may be defined several times with different displayOptions.
		const shown = at === '' ? candidates.filter((p) => NodeHelpers.displayParameter(nodeValues, p, node, description)) : candidates;
		if (shown.length === 0) {
			found.push(`${at}${name}: set, but hidden by its displayOptions`);
			continue;
		}
		const property = shown[0];
		found.push(...valueProblems(property, value as NodeParameterValueType, nodeValues, node, description, `${at}${name}`));
	}
	return found;
}

function valueProblems(property: INodeProperties, value: NodeParameterValueType, nodeValues: INodeParameters, node: INode, description: INodeTypeDescription, at: string): string[] {
	if (isExpression(value)) return [];
	if (property.type === 'options' && !property.typeOptions?.loadOptionsMethod) {
		const allowed = (property.options as INodePropertyOptions[]).map((o) => o.value);
		return allowed.includes(value as string) ? [] : [`${at}: "${String(value)}" is not one of ${allowed.join(', ')}`];
	}
	if (property.type === 'multiOptions' && !property.typeOptions?.loadOptionsMethod) {
		const allowed = (property.options as INodePropertyOptions[]).map((o) => o.value);
		return (value as string[]).filter((v) => !allowed.includes(v)).map((v) => `${at}: "${v}" is not one of ${allowed.join(', ')}`);
	}
	if (property.type === 'collection') {
		return problems(property.options as INodeProperties[], value as INodeParameters, nodeValues, node, description, `${at}.`);
	}
	if (property.type === 'fixedCollection') {
		const found: string[] = [];
		const groups = property.options as INodePropertyCollection[];
		for (const [groupName, groupValue] of Object.entries(value as INodeParameters)) {
			const group = groups.find((g) => g.name === groupName);
			if (!group) {
				found.push(`${at}.${groupName}: no such group (${groups.map((g) => g.name).join(', ')})`);
				continue;
			}
			const entries = Array.isArray(groupValue) ? (groupValue as INodeParameters[]) : [groupValue as INodeParameters];
			entries.forEach((entry, k) => found.push(...problems(group.values, entry, nodeValues, node, description, `${at}.${groupName}[${k}].`)));
		}
		return found;
	}
	return [];
}

/**
 * Parameter names of the n8n-nodes-base nodes at the versions the templates use, from n8n's
 * descriptions (Filter V2 filterParameters + options; Wait V1.1 time interval; Schedule Trigger
 * 1.2 rule.interval; Set V2 (3.3+) manual mode; HTTP Request V3 (4.2); Stop and Error; Merge V3
 * (3.2, top-level parameters of every mode); No Operation 1 (no parameters); Sticky Note).
 */
const BASE_PARAMETERS: Record<string, { versions: number[]; names: string[] }> = {
	'n8n-nodes-base.filter': { versions: [2, 2.1, 2.2], names: ['conditions', 'looseTypeValidation', 'options'] },
	'n8n-nodes-base.wait': { versions: [1, 1.1], names: ['resume', 'amount', 'unit', 'dateTime', 'limitWait', 'limitType', 'resumeAmount', 'resumeUnit', 'maxDateAndTime', 'incomingAuthentication', 'httpMethod', 'responseCode', 'responseMode', 'responseData', 'responseBinaryPropertyName', 'options'] },
	'n8n-nodes-base.scheduleTrigger': { versions: [1, 1.1, 1.2], names: ['rule'] },
	'n8n-nodes-base.set': { versions: [3.3, 3.4], names: ['mode', 'duplicateItem', 'duplicateCount', 'assignments', 'jsonOutput', 'includeOtherFields', 'include', 'includeFields', 'excludeFields', 'options'] },
	'n8n-nodes-base.httpRequest': { versions: [4, 4.1, 4.2], names: ['method', 'url', 'authentication', 'nodeCredentialType', 'genericAuthType', 'provideSslCertificates', 'sendQuery', 'specifyQuery', 'queryParameters', 'jsonQuery', 'sendHeaders', 'specifyHeaders', 'headerParameters', 'jsonHeaders', 'sendBody', 'contentType', 'specifyBody', 'bodyParameters', 'jsonBody', 'body', 'rawContentType', 'inputDataFieldName', 'options'] },
	'n8n-nodes-base.stopAndError': { versions: [1], names: ['errorType', 'errorMessage', 'errorObject'] },
	'n8n-nodes-base.merge': { versions: [3, 3.1, 3.2], names: ['mode', 'numberInputs', 'combineBy', 'advanced', 'fieldsToMatchString', 'mergeByFields', 'joinMode', 'outputDataFrom', 'query', 'chooseBranchMode', 'output', 'useDataOfInput', 'options'] },
	'n8n-nodes-base.stickyNote': { versions: [1], names: ['content', 'height', 'width', 'color'] },
	'n8n-nodes-base.noOp': { versions: [1], names: [] },
};

describe('templates: node parameters', () => {
	it.each(templates.map((t) => [t.file, t.wf] as const))('%s: every parameter of our nodes exists, is shown and has a valid value', async (_file, wf) => {
		const pkg = await loadPackage();
		const found: string[] = [];
		for (const node of wf.nodes) {
			if (!node.type.startsWith(P)) continue;
			const entry = pkg.loader.nodeTypes[node.type.slice(P.length)];
			if (!entry) {
				found.push(`${node.name}: unknown node type ${node.type}`);
				continue;
			}
			let description: INodeTypeDescription;
			try {
				description = descriptionAt(entry.type, node.typeVersion);
			} catch (error) {
				found.push(`${node.name}: ${(error as Error).message}`);
				continue;
			}
			// The values n8n works with: the template's, completed with the defaults.
			const full = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
			found.push(...problems(description.properties, node.parameters, full, node, description, '').map((p) => `${node.name}: ${p}`));
			// What n8n's editor reports (required values missing, fixed-collection issues…).
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters: full }, description);
			if (issues?.parameters) for (const [name, list] of Object.entries(issues.parameters)) found.push(`${node.name}: ${name}: ${list.join('; ')}`);
			// Credentials: each one the node names is a credential type the node offers.
			for (const credentialType of Object.keys(node.credentials ?? {})) {
				const offered = (description.credentials ?? []).filter((c) => c.name === credentialType);
				if (offered.length === 0) found.push(`${node.name}: credential ${credentialType} is not one the node takes`);
				else if (!offered.some((c) => !c.displayOptions || NodeHelpers.displayParameter(full, c, node, description))) found.push(`${node.name}: credential ${credentialType} is hidden for these parameters`);
				if (!pkg.credentialTypes[credentialType]) found.push(`${node.name}: credential type ${credentialType} is not in this package`);
			}
		}
		expect(found).toEqual([]);
	});

	it.each(templates.map((t) => [t.file, t.wf] as const))('%s: n8n-nodes-base nodes use names of their descriptions', (_file, wf) => {
		const found: string[] = [];
		for (const node of wf.nodes) {
			if (node.type.startsWith(P)) continue;
			const known = BASE_PARAMETERS[node.type];
			if (!known) {
				found.push(`${node.name}: ${node.type} is not checked here`);
				continue;
			}
			if (!known.versions.includes(node.typeVersion)) found.push(`${node.name}: ${node.type} v${node.typeVersion}`);
			for (const name of Object.keys(node.parameters)) if (!known.names.includes(name)) found.push(`${node.name}: ${name}`);
		}
		expect(found).toEqual([]);
	});

	it.each(templates.map((t) => [t.file, t.wf] as const))('%s: connections and expressions name nodes of the template', (_file, wf) => {
		const names = new Set(wf.nodes.map((n) => n.name));
		const found: string[] = [];
		for (const [from, outputs] of Object.entries(wf.connections)) {
			if (!names.has(from)) found.push(`connection from ${from}`);
			for (const output of outputs.main) for (const c of output ?? []) if (!names.has(c.node)) found.push(`connection to ${c.node}`);
		}
		for (const node of wf.nodes) {
			const text = JSON.stringify(node.parameters);
			for (const m of text.matchAll(/\$\(\\?['"]([^'"\\]+)\\?['"]\)|\$node\[\\?['"]([^'"\\]+)\\?['"]\]/g)) {
				const referenced = m[1] ?? m[2];
				if (!names.has(referenced)) found.push(`${node.name}: expression names ${referenced}`);
			}
		}
		expect(found).toEqual([]);
	});
});
