import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as forget from './forget.operation';
import * as send from './send.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'send':
			return [await send.execute.call(this, items)];
		case 'forget':
			return [await forget.execute.call(this, items)];
		default:
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	}
}
