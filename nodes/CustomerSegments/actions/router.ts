import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as lifetimeValue from './lifetimeValue.operation';
import * as predict from './predict.operation';
import * as rfm from './rfm.operation';
import * as rules from './rules.operation';
import * as trainModel from './trainModel.operation';

export const operations = { rfm, rules, trainModel, predict, lifetimeValue };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not supported`);
	return [await op.execute.call(this, items)];
}
