import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as evaluate from './evaluate.operation';
import * as recommend from './recommend.operation';
import * as train from './train.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'train':
			return [await train.execute.call(this, items)];
		case 'recommend':
			return [await recommend.execute.call(this, items)];
		case 'evaluate':
			return [await evaluate.execute.call(this, items)];
		default:
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	}
}
