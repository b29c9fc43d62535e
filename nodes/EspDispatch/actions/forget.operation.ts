import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { StaticDataLedger } from '../../engines/dispatch/ledger';

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
	const staticData = this.getWorkflowStaticData('global');
	const ledger = new StaticDataLedger(staticData, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, LEDGER_FIELD);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const key = String(this.getNodeParameter('forgetKey', i, '') ?? '').trim();
			if (!key) throw new NodeOperationError(this.getNode(), `Item ${i}: "Idempotency Key" is empty`, { itemIndex: i });
			out.push({ json: { idempotencyKey: key, forgotten: ledger.delete(key) }, pairedItem: { item: i } });
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
