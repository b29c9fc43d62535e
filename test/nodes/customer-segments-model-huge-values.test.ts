/**
 * Train Model and Predict with huge finite feature values, and with a feature that is constant in
 * the training rows. Before, values of 1e300 standardized to 0 (an sd of Infinity: the feature
 * left out without a word, every probability 0.5), values near 1e308 gave a model of NaN (null in
 * the item) and a "did not converge" warning about separation, and a constant feature was given
 * coefficient 0 silently, while a new value of it far from the training one stopped Predict.
 *
 * Closed form: one binary feature, no penalty; the maximum-likelihood fit reproduces each group's
 * share of positives. 6 of the 18 customers at the low value and 12 of the 18 at the high value
 * churned: probabilities 1/3 and 2/3, raw slope 2 ln 2 / (high − low).
 */
import type { IDataObject, INodeExecutionData, INodeParameters, ITaskData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const run = (parameters: INodeParameters, rows: IDataObject[]) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', parameters)], connections: {} }, { input: rows.map((json): INodeExecutionData => ({ json })) });
const hints = (r: Awaited<ReturnType<typeof run>>): string[] => ((r.run.data.resultData.runData[NAME] as ITaskData[])[0].hints ?? []).map((h) => h.message);
// three copies of: low value 2 of 6 churned, high value 4 of 6 (enough rows that no fit on one of
// the two cross-validation halves sees a group all churned or all not, i.e. separable data)
const churned = [true, true, false, false, false, false, true, true, true, true, false, false];
const rows = (low: number, high: number, extra: IDataObject = {}) =>
	[0, 1, 2].flatMap(() => churned.map((c, i) => ({ spend: i < 6 ? low : high, churned: c, ...extra })));
const train = (features = 'spend'): INodeParameters => ({ operation: 'trainModel', features, targetField: 'churned', folds: 2, trainOptions: { l2: 0 } });
const predict = async (model: IDataObject, input: IDataObject[]) => {
	const r = await run({ operation: 'predict', model: JSON.stringify(model) }, input);
	expect(r.error).toBeUndefined();
	return r.items(NAME).map((i) => i.json.probability as number);
};

describe('Train Model and Predict: huge feature values', () => {
	it.each([
		['revenue in micro-units, 0 and 1e12', 0, 1e12],
		['0 and 1e300', 0, 1e300],
		['-1e308 and 1e308', -1e308, 1e308],
	])('%s: the closed-form model, no warning', async (_, low, high) => {
		const r = await run(train(), rows(low, high));
		expect(r.error).toBeUndefined();
		const model = r.items(NAME)[0].json;
		expect(model.converged).toBe(true);
		expect(model.warnings).toEqual([]);
		const slope = (model.rawCoefficients as Record<string, number>).spend;
		expect(slope * (high / 2) - slope * (low / 2)).toBeCloseTo(Math.log(2), 9);
		const [pLow, pHigh] = await predict(model, [{ spend: low }, { spend: high }]);
		expect(pLow).toBeCloseTo(1 / 3, 9);
		expect(pHigh).toBeCloseTo(2 / 3, 9);
	});
});

describe('Train Model and Predict: a constant feature', () => {
	const warning = 'Feature "country_code" has the same value (1e+308) in all 36 training rows, so the model cannot learn from it: its coefficient is 0 and Predict ignores its value. Leave it out of Feature Fields, or train on rows where it varies.';

	it('is said in a warning and a hint; Predict ignores a new value of it, even one far away', async () => {
		const r = await run(train('spend, country_code'), rows(0, 1, { country_code: 1e308 }));
		expect(r.error).toBeUndefined();
		const model = r.items(NAME)[0].json;
		expect((model.coefficients as Record<string, number>).country_code).toBe(0);
		expect(model.warnings).toEqual([warning]);
		expect(hints(r)).toEqual([warning]);
		const p = await predict(model, [{ spend: 0, country_code: 1e308 }, { spend: 0, country_code: -1e308 }, { spend: 1, country_code: 7 }]);
		expect(p[0]).toBeCloseTo(1 / 3, 9);
		expect(p[1]).toBeCloseTo(1 / 3, 9);
		expect(p[2]).toBeCloseTo(2 / 3, 9);
	});
});
