/** Train Model says when its fit did not converge (a warning on the model item and a hint). */
import type { IDataObject, INodeExecutionData, INodeParameters, ITaskData } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';

const NAME = 'Customer Segments';
function wf(parameters: INodeParameters): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters)], connections: {} };
}
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const hints = (run: Awaited<ReturnType<typeof runWorkflow>>): string[] =>
	((run.run.data.resultData.runData[NAME] as ITaskData[])[0].hints ?? []).map((h) => h.message);

describe('Customer Segments: Train Model reports a fit that did not converge', () => {
	// Every customer with more than 4 orders churned, none with 4 or fewer: the feature separates
	// the classes, so without a penalty the likelihood has no maximum (it rises as the slope grows
	// without bound) and Newton's method cannot converge, in the full fit nor in any fold.
	const separable = Array.from({ length: 8 }, (_, i) => ({ orders: i + 1, churned: i + 1 > 4 }));

	it('L2 = 0 on separable data: converged false, a warning on the model item and a hint', async () => {
		const result = await runWorkflow(wf({ operation: 'trainModel', features: 'orders', targetField: 'churned', folds: 2, trainOptions: { l2: 0 } }), { input: items(separable) });
		expect(result.error).toBeUndefined();
		const model = result.items(NAME)[0].json;
		expect(model.converged).toBe(false);
		const warnings = model.warnings as string[];
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/^The model fit did not converge in 100 Newton steps \(nor did 2 of the 2 cross-validation fits\): /);
		expect(warnings[0]).toContain('Set Regularization (L2) above 0 (default 1).');
		expect(hints(result)).toEqual(warnings);
	});

	it('the default L2 = 1 on the same data converges: no warning, no hint', async () => {
		const result = await runWorkflow(wf({ operation: 'trainModel', features: 'orders', targetField: 'churned', folds: 2 }), { input: items(separable) });
		const model = result.items(NAME)[0].json;
		expect(model.converged).toBe(true);
		expect(model.warnings).toEqual([]);
		expect(hints(result)).toEqual([]);
	});
});
