/**
 * Runs workflow JSON through the real n8n engine (n8n-core's WorkflowExecute), with this
 * package loaded from dist/ by n8n-core's PackageDirectoryLoader: the same loader, node
 * type prefix (`n8n-nodes-personalization.`) and description validation that n8n applies
 * to an installed community package. No IExecuteFunctions are mocked: every node runs in
 * n8n-core's own ExecuteContext.
 */
import path from 'node:path';
import { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import { TestCredentialsHelper } from './credentials-helper';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-personalization';
/** Node type prefix as n8n gives it to an installed community package. */
export const P = `${PACKAGE_NAME}.`;

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	nodeTypes: INodeTypes;
	credentialTypes: Record<string, ICredentialType>;
}

const loaded = new Map<string, Promise<LoadedPackage>>();

/** Loads a package directory (default: this repository, i.e. its dist/) once per test file. */
export function loadPackage(directory = PACKAGE_ROOT): Promise<LoadedPackage> {
	let promise = loaded.get(directory);
	if (!promise) {
		promise = (async () => {
			const loader = new PackageDirectoryLoader(directory);
			await loader.loadAll();
			const prefix = `${loader.packageName}.`;
			const byName = (name: string): INodeType | IVersionedNodeType => {
				const short = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
				const entry = short === undefined ? undefined : loader.nodeTypes[short];
				if (!entry) throw new Error(`Unknown node type "${name}" (this harness loads ${prefix}*)`);
				return entry.type;
			};
			const nodeTypes: INodeTypes = {
				getByName: byName,
				getByNameAndVersion(name: string, version?: number): INodeType {
					const type = byName(name);
					if ('nodeVersions' in type) {
						return type.nodeVersions[version ?? type.currentVersion];
					}
					return type;
				},
				getKnownTypes(): IDataObject {
					return Object.fromEntries(
						Object.entries(loader.known.nodes).map(([k, v]) => [prefix + k, v]),
					) as IDataObject;
				},
			};
			const credentialTypes: Record<string, ICredentialType> = {};
			for (const [name, entry] of Object.entries(loader.credentialTypes)) {
				credentialTypes[name] = entry.type;
			}
			return { loader, nodeTypes, credentialTypes };
		})();
		loaded.set(directory, promise);
	}
	return promise;
}

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

export interface RunOptions {
	/** Items given to the start node (the workflow's first node unless `startNode` is set). */
	input?: INodeExecutionData[];
	startNode?: string;
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Workflow static data carried over from an earlier execution (see `RunResult.staticData`). */
	staticData?: IDataObject;
	mode?: 'manual' | 'trigger' | 'webhook' | 'internal';
	packageDir?: string;
}

export interface NodeRun {
	/** Items per output index, of the node's last run. */
	outputs: INodeExecutionData[][];
	error?: ExecutionError;
	runs: number;
}

export interface RunResult {
	run: IRun;
	/** Per node name. */
	nodes: Record<string, NodeRun>;
	/** The workflow-level error, if the execution failed. */
	error?: ExecutionError;
	/** Static data after the run (what n8n would persist). */
	staticData: IDataObject;
	/**
	 * The static data n8n-core hands to the workflowExecuteAfter hook, which n8n saves after a
	 * production execution: undefined when n8n saw no change (its ObservableObject's __dataChanged).
	 */
	savedStaticData?: IDataObject;
	executionOrder: string[];
	/** Shortcut: items of output 0 of the named node (throws if the node did not run). */
	items(nodeName: string, output?: number): INodeExecutionData[];
}

let executionCounter = 0;

export async function runWorkflow(workflowJson: WorkflowJson, options: RunOptions = {}): Promise<RunResult> {
	const pkg = await loadPackage(options.packageDir);
	const staticData: IDataObject = JSON.parse(
		JSON.stringify(options.staticData ?? workflowJson.staticData ?? {}),
	) as IDataObject;
	const nodes = JSON.parse(JSON.stringify(workflowJson.nodes)) as INode[];
	const workflow = new Workflow({
		id: 'test-workflow',
		name: workflowJson.name ?? 'test',
		nodes,
		connections: workflowJson.connections,
		nodeTypes: pkg.nodeTypes,
		staticData,
		settings: workflowJson.settings ?? { executionOrder: 'v1' },
		active: false,
	});

	const mode = options.mode ?? 'manual';
	const executionId = String(++executionCounter);
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: workflowJson.name ?? 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes,
		connections: workflowJson.connections,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
		executionOrder.push(nodeName);
	});
	let finish: (run: IRun) => void = () => undefined;
	const done = new Promise<IRun>((resolve) => (finish = resolve));
	let savedStaticData: IDataObject | undefined;
	hooks.addHandler('workflowExecuteAfter', (fullRunData: IRun, newStaticData?: IDataObject) => {
		savedStaticData = newStaticData;
		finish(fullRunData);
	});

	const credentialsHelper = new TestCredentialsHelper(pkg.credentialTypes, options.credentials ?? {});
	const additionalData = makeAdditionalData(credentialsHelper, hooks, executionId);

	const startNodeName = options.startNode ?? nodes[0]?.name;
	const startNode = startNodeName ? workflow.getNode(startNodeName) : null;
	if (!startNode) throw new Error(`Start node "${startNodeName}" not found`);
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: startNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null },
			],
		},
	});

	const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);
	await workflowExecute.processRunExecutionData(workflow);
	const run = await done;

	const result: Record<string, NodeRun> = {};
	for (const [name, taskData] of Object.entries(run.data.resultData.runData ?? {}) as Array<[string, ITaskData[]]>) {
		const last = taskData[taskData.length - 1];
		result[name] = {
			outputs: (last?.data?.main ?? []).map((items) => items ?? []),
			error: last?.error,
			runs: taskData.length,
		};
	}
	return {
		run,
		nodes: result,
		error: run.data.resultData.error,
		staticData: workflow.staticData as IDataObject,
		savedStaticData,
		executionOrder,
		items(nodeName: string, output = 0) {
			const node = result[nodeName];
			if (!node) {
				const why = run.data.resultData.error?.message ?? 'it did not run';
				throw new Error(`Node "${nodeName}" has no output: ${why}`);
			}
			return node.outputs[output] ?? [];
		},
	};
}

function makeAdditionalData(
	credentialsHelper: TestCredentialsHelper,
	hooks: ExecutionLifecycleHooks,
	executionId: string,
): IWorkflowExecuteAdditionalData {
	const notAvailable = (what: string) => async () => {
		throw new Error(`${what} is not available in the test harness`);
	};
	const additionalData = {
		credentialsHelper,
		hooks,
		executionId,
		executeWorkflow: notAvailable('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		startRunnerTask: notAvailable('startRunnerTask'),
	};
	return additionalData as unknown as IWorkflowExecuteAdditionalData;
}

/** Builds a node entry for workflow JSON with this package's type prefix. */
export function node(
	name: string,
	type: string,
	parameters: INode['parameters'] = {},
	extra: Partial<INode> = {},
): INode {
	return {
		id: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
		name,
		type: type.includes('.') ? type : P + type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...extra,
	};
}

/** Connects node names in a chain on output 0. */
export function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}
