/**
 * Train Model with Regularization (L2) 0 and two features that copy each other: their
 * coefficients are not determined (any split fits equally well). Before, the fit silently gave
 * the first everything and the copy 0, "converged". Now it stops naming the features; with L2 > 0
 * the penalty decides the split, evenly between two identical columns (the penalty is symmetric
 * and strictly convex, so the optimum has equal coefficients).
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const run = (parameters: INodeParameters, rows: IDataObject[], extra: IDataObject = {}) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', parameters, extra)], connections: {} }, { input: rows.map((json): INodeExecutionData => ({ json })) });
const orders = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const churned = [true, true, false, true, false, true, false, false, true, false];
const rows = orders.map((v, i) => ({ orders: v, orders_copy: v, churned: churned[i] }));
const train = (l2: number): INodeParameters => ({ operation: 'trainModel', features: 'orders, orders_copy', targetField: 'churned', folds: 2, trainOptions: { l2 } });

describe('Train Model: perfectly collinear features', () => {
	it('with L2 0 stops naming the copy and the feature it copies', async () => {
		const r = await run(train(0), rows);
		expect(r.error?.message).toBe('Feature "orders_copy" is a linear combination of "orders" (perfectly collinear): with Regularization (L2) 0 their coefficients are not determined');
		const cof = await run(train(0), rows, { onError: 'continueRegularOutput' });
		expect(cof.items(NAME).map((i) => [i.json.error, (i.pairedItem as unknown[]).length])).toEqual([[r.error?.message, 10]]);
	});

	it('with L2 > 0 trains, splitting the weight evenly between the two copies', async () => {
		const r = await run(train(1), rows);
		expect(r.error).toBeUndefined();
		const model = r.items(NAME)[0].json as { coefficients: Record<string, number>; converged: boolean };
		expect(model.converged).toBe(true);
		expect(model.coefficients.orders).toBeCloseTo(model.coefficients.orders_copy, 9);
		expect(model.coefficients.orders).not.toBe(0);
	});
});
