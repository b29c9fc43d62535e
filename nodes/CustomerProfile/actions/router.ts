import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { getStore } from './common';
import * as checkSince from './checkSince.operation';
import * as erase from './erase.operation';
import * as exportOp from './export.operation';
import * as frequencyCap from './frequencyCap.operation';
import * as get from './get.operation';
import * as record from './record.operation';
import * as suppression from './suppression.operation';

export const operations = { record, get, checkSince, export: exportOp, erase, suppression, frequencyCap };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not supported`);
	let store;
	try {
		store = await getStore(this);
	} catch (error) {
		// With Continue On Fail, a store that cannot be opened fails every item (named and paired).
		if (!this.continueOnFail()) throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error);
		return [items.map((_, i) => ({ json: { error: `Item ${i}: ${(error as Error).message}` }, pairedItem: { item: i } }))];
	}
	return await op.execute.call(this, items, store);
}
