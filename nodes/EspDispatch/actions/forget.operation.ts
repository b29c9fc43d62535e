import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { StaticDataLedger } from '../../engines/dispatch/ledger';
import { forgetSentKey, type SentKeyTable } from '../../engines/dispatch/sentKeys';
import { errorMessage } from '../../shared/errors';
import { exactError } from '../../shared/profileStore';
import { memoryLabel, memoryScope, openSentKeyTable, sentKeyMemory } from './memory';

/** Field of the workflow static data ('global') that holds the duplicate memory. */
export const LEDGER_FIELD = 'pzDispatchLedger';

export const description: INodeProperties[] = [
	{
		displayName: 'Idempotency Key',
		name: 'forgetKey',
		type: 'string',
		default: '={{ $json.idempotencyKey }}',
		required: true,
		displayOptions: { show: { operation: ['forget'] } },
		description: 'Key to remove from the duplicate memory, so the message can be sent again (e.g. after reconciling an "unknown" status)',
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (sentKeyMemory(this) === 'profileStore') return await forgetInStore.call(this, items);
	const staticData = this.getWorkflowStaticData('global');
	const ledger = new StaticDataLedger(staticData, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, LEDGER_FIELD);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: { idempotencyKey: keyOf(this, i), forgotten: ledger.delete(keyOf(this, i)) }, pairedItem: { item: i } });
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
	}
	staticData[LEDGER_FIELD] = { ...ledger.state } as unknown as IDataObject;
	return out;
}

function keyOf(ctx: IExecuteFunctions, i: number): string {
	const key = String(ctx.getNodeParameter('forgetKey', i, '') ?? '').trim();
	if (!key) throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Idempotency Key" is empty`, { itemIndex: i });
	return key;
}

/** Forget Sent Keys on the Customer Profile Store memory: one statement per item; a store that cannot be reached fails the item. */
async function forgetInStore(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const scope = memoryScope(this);
	let table: Promise<SentKeyTable> | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			const key = keyOf(this, i);
			let forgotten: boolean;
			try {
				forgotten = await forgetSentKey(await (table ??= openSentKeyTable(this)), scope, key);
			} catch (error) {
				table = undefined;
				throw exactError(this, `Item ${i}: the sent-key memory (${memoryLabel(this)}) could not be reached: ${errorMessage(error)}`, {
					itemIndex: i,
					description: 'Check the Storage settings of Sent-Key Memory (the database file, or the PostgreSQL credential and that the server is up). The key was not forgotten.',
				});
			}
			out.push({ json: { idempotencyKey: key, forgotten }, pairedItem: { item: i } });
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
	}
	return out;
}
