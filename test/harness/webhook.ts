/**
 * Exercises a trigger's `webhook()` the way n8n's CLI does: a real HTTP request arrives on a local
 * listener, the body is read into `req.rawBody` (a Buffer, via `req.readRawBody()`, as n8n's
 * rawBodyReader middleware does) and parsed into `req.body` like n8n's body parser; then n8n-core's
 * own `WebhookContext` is built around the request and response and `nodeType.webhook` is called
 * (as WebhookService.runWebhook does). The HTTP answer follows n8n's webhook-helpers rules:
 * `noWebhookResponse` → the node already answered; no `workflowData` → 200 with `webhookResponse`
 * (or "Webhook call received") and no execution; otherwise 200 (`responseMode: onReceived`) with
 * the webhook's `responseData` (n8n's default: the literal 'firstEntryJson') before
 * `webhookResponse`, and the items that would start the workflow are recorded.
 *
 * Workflow static data lives on the Workflow object across calls, as n8n persists it between
 * deliveries; `staticData` in the options seeds it (e.g. the JSON saved by an earlier instance).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { TestCredentialsHelper } from './credentials-helper';
import type { WorkflowJson } from './engine';
import { loadPackage, P } from './engine';

export interface WebhookReply {
	status: number;
	text: string;
	body: unknown;
	/** Items the trigger emitted: the workflow would run with these (undefined: no run). */
	workflowData?: INodeExecutionData[][];
	/** Convenience: the JSON of output 0's items. */
	events: IDataObject[];
	/** The answer's headers (request() only). */
	headers?: Headers;
}

export interface WebhookServer {
	url: string;
	/** POSTs `body` (exact bytes) with `headers` to the trigger's URL. */
	post(body: string | Buffer, headers?: Record<string, string>): Promise<WebhookReply>;
	/**
	 * Any method, with a query (`?…` added to the URL) and an optional body. A method the trigger
	 * did not register (n8n evaluates the webhook description's httpMethod, a comma-separated list)
	 * is answered 404 as n8n does, without calling the node.
	 */
	request(method: string, query: string, body?: string | Buffer, headers?: Record<string, string>): Promise<WebhookReply>;
	/** The HTTP methods n8n registers for the trigger (its webhook description, evaluated). */
	methods: string[];
	/** The workflow's static data as n8n would save it. */
	staticData(): IDataObject;
	/** Every webhook() result so far. */
	runs: IWebhookResponseData[];
	close(): Promise<void>;
}

export interface WebhookOptions {
	nodeName?: string;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * Per credential type, an error n8n's credentials store throws instead of the data (its database
	 * failing, a credential deleted); read at each call, so a test can clear it (n8n recovered).
	 */
	credentialFailures?: Record<string, Error>;
	staticData?: IDataObject;
	workflowId?: string;
	/**
	 * The execution mode n8n gives the webhook call: 'webhook' for an active workflow's Production
	 * URL (default), 'manual' for the editor's "Listen for test event" (Test URL).
	 */
	mode?: WorkflowExecuteMode;
}

let counter = 0;

export async function startWebhook(workflowJson: WorkflowJson, options: WebhookOptions = {}): Promise<WebhookServer> {
	const pkg = await loadPackage();
	const nodes = JSON.parse(JSON.stringify(workflowJson.nodes)) as INode[];
	const staticData = JSON.parse(JSON.stringify(options.staticData ?? {})) as IDataObject;
	const workflowId = options.workflowId ?? `webhook-test-${++counter}`;
	const workflow = new Workflow({
		id: workflowId,
		name: workflowJson.name ?? 'webhook test',
		nodes,
		connections: workflowJson.connections,
		nodeTypes: pkg.nodeTypes,
		staticData,
		settings: workflowJson.settings ?? { executionOrder: 'v1' },
		active: true,
	});
	const node = workflow.getNode(options.nodeName ?? nodes[0].name);
	if (!node) throw new Error('trigger node not found');
	const nodeType = pkg.nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType;
	const description = nodeType.description.webhooks?.[0];
	if (!description || !nodeType.webhook) throw new Error(`${node.type} has no webhook`);
	// n8n's WebhookService.getNodeWebhooks: httpMethod evaluated against the node, split on commas.
	const methods = String(workflow.expression.getSimpleParameterValue(node, description.httpMethod, 'internal', {}, undefined, 'GET'))
		.split(',')
		.map((m) => m.trim())
		.filter(Boolean);
	const credentialsHelper = new TestCredentialsHelper(pkg.credentialTypes, options.credentials ?? {}, options.credentialFailures);
	const runs: IWebhookResponseData[] = [];

	const server = http.createServer((req, res) => {
		void handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ message: (error as Error).message, name: (error as Error).name }));
		});
	});

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		if (!methods.includes(req.method ?? '')) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ code: 404, message: `This webhook is not registered for ${req.method} requests.` }));
			return;
		}
		// n8n's rawBodyReader: lazily reads the exact bytes into req.rawBody (a Buffer); a stream
		// already read by someone else cannot be read again (n8n throws this BadRequestError).
		req.readRawBody = async () => {
			if (!req.rawBody) {
				if (req.destroyed || !req.readable) throw new Error('Request body stream was aborted or is not readable');
				const chunks: Buffer[] = [];
				for await (const chunk of req) chunks.push(chunk as Buffer);
				req.rawBody = Buffer.concat(chunks);
				req._body = true;
			}
		};
		const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
		const request = req as http.IncomingMessage & { body?: unknown; query?: unknown; params?: unknown };
		request.body = {};
		if (contentType === 'multipart/form-data') {
			// n8n 2.x (webhook-helpers parseRequestBody → webhook-form-data.ts): formidable reads a
			// multipart body before the node runs, into req.body = { data, files } (a field given once is
			// a string, repeated an array); no req.rawBody, and the stream is consumed.
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type']! } }).formData();
			const data: Record<string, string | string[]> = {};
			for (const [name, value] of form.entries()) {
				if (typeof value !== 'string') continue;
				const had = data[name];
				data[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
			}
			request.body = { data, files: {} };
		} else {
			// n8n's body parser (JSON and form bodies; a JSON parse failure is a 422 before any node runs).
			await req.readRawBody();
		}
		if (req.rawBody?.length) {
			try {
				if (contentType === 'application/json') request.body = JSON.parse(req.rawBody.toString('utf8'));
				else if (contentType === 'application/x-www-form-urlencoded') request.body = parseQuery(req.rawBody.toString('utf8'));
			} catch {
				res.writeHead(422, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: 'Failed to parse request body' }));
				return;
			}
		}
		request.query = parseQuery((req.url ?? '').split('?')[1] ?? '');
		request.params = {};

		const additionalData = {
			credentialsHelper,
			httpRequest: req,
			httpResponse: res,
			executionId: undefined,
			restApiUrl: 'http://localhost:5678/rest',
			instanceBaseUrl: 'http://localhost:5678/',
			webhookBaseUrl: 'http://localhost:5678/webhook',
			webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
			formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
			variables: {},
		} as unknown as IWorkflowExecuteAdditionalData;
		const webhookData: IWebhookData = {
			httpMethod: req.method as IWebhookData['httpMethod'],
			node: node!.name,
			path: `${node!.webhookId}/${String(node!.parameters.source)}`,
			webhookDescription: description!,
			workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId: node!.webhookId,
		};
		const context = new WebhookContext(workflow, node!, additionalData, options.mode ?? 'webhook', webhookData, [], null);
		const result = await nodeType.webhook!.call(context);
		runs.push(result);
		if (result.noWebhookResponse) {
			if (!res.writableEnded) throw new Error('noWebhookResponse, but the node did not answer');
			return;
		}
		if (!result.workflowData) {
			const body = result.webhookResponse ?? { message: 'Webhook call received' };
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
			return;
		}
		// n8n's onReceived answer (cli/src/webhooks/webhook-on-received-response-extractor.ts): the
		// webhook's `responseData`, evaluated with the default 'firstEntryJson', wins over
		// `webhookResponse`; 'noData' answers with an empty body.
		const responseData = description!.responseData ?? 'firstEntryJson';
		const body = responseData === 'noData' ? undefined : responseData || (result.webhookResponse ?? { message: 'Workflow was started' });
		res.writeHead(200, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
		res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}/webhook/${node.webhookId ?? 'x'}/${String(node.parameters.source)}`;

	async function send(method: string, target: string, body: string | Buffer | undefined, headers: Record<string, string>): Promise<WebhookReply> {
		const before = runs.length;
		const response = await fetch(target, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body), headers });
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		const run = runs.length > before ? runs[runs.length - 1] : undefined;
		const workflowData = run?.workflowData;
		return { status: response.status, text, body: parsed, workflowData, events: (workflowData?.[0] ?? []).map((i) => i.json), headers: response.headers };
	}

	return {
		url,
		runs,
		methods,
		request: (method, query, body, headers = {}) => send(method, `${url}${query ? `?${query.replace(/^\?/, '')}` : ''}`, body, headers),
		post: (body, headers = {}) => send('POST', url, body, { 'content-type': 'application/json', ...headers }),
		staticData() {
			return JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** A workflow of one Personalization Trigger for `source`, with the webhook-secrets credential. */
export function triggerWorkflow(source: string, parameters: Record<string, unknown> = {}, webhookId = `wh-${source}`): WorkflowJson {
	const node: INode = {
		id: `trigger-${source}`,
		name: 'Personalization Trigger',
		type: `${P}personalizationTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters: { source, ...parameters } as INode['parameters'],
		credentials: { personalizationWebhookApi: { id: '1', name: 'Webhook secrets' } },
	};
	return { nodes: [node], connections: {} };
}
