import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as analyze from './analyze.operation';
import * as assign from './assign.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'assign':
			return [await assign.execute.call(this, items)];
		case 'analyze':
			return [await analyze.execute.call(this, items)];
		default:
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	}
}
