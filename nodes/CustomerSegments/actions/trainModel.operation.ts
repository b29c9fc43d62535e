import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { collinearFeatures, constantFeatures, crossValidate, featureScaling, fitLogistic } from '../../engines/segments/logistic';
import { handleItemError, itemError, modelFailure, readField, toNumber } from './common';
import { describeValue, parseFeatureList, readFeatures, toBoolean } from './model';

const show = { operation: ['trainModel'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Feature Fields',
		name: 'features',
		type: 'string',
		displayOptions: { show },
		default: 'recency_days, frequency, monetary',
		required: true,
		description: 'Comma-separated numeric fields to learn from, e.g. recency_days, frequency, monetary, tenure_days, opens_30d. True/false counts as 1/0.',
	},
	{
		displayName: 'Target Field',
		name: 'targetField',
		type: 'string',
		displayOptions: { show },
		default: 'churned',
		required: true,
		description: 'Yes/no field to predict, e.g. became_vip or churned (true/false, 1/0, yes/no)',
	},
	{
		displayName: 'Cross-Validation Folds',
		name: 'folds',
		type: 'number',
		typeOptions: { minValue: 2, maxValue: 20, numberPrecision: 0 },
		displayOptions: { show },
		default: 5,
		description: 'The metrics come from k-fold cross-validation; the stored model is then trained on all rows',
	},
	{
		displayName: 'Decision Threshold',
		name: 'threshold',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
		displayOptions: { show },
		default: 0.5,
		description: 'Probability from which a customer counts as positive, for precision, recall, F1 and the confusion matrix (Predict uses it too)',
	},
	{
		displayName: 'Options',
		name: 'trainOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Regularization (L2)',
				name: 'l2',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 1,
				description: 'Penalty on large coefficients (on standardized features). Higher = simpler model; 0 = none.',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 42,
				description: 'Seed for the fold assignment: the same data and seed give the same metrics',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const features = parseFeatureList(this.getNodeParameter('features', 0) as string);
	const target = (this.getNodeParameter('targetField', 0) as string).trim();
	const rawFolds = this.getNodeParameter('folds', 0, 5);
	const rawThreshold = this.getNodeParameter('threshold', 0, 0.5);
	const options = this.getNodeParameter('trainOptions', 0, {}) as IDataObject;
	const rawL2 = options.l2 ?? 1;
	const rawSeed = options.seed ?? 42;
	// An expression may give a number as text ("5" from a sheet), as RFM's Score Bins and Lifetime
	// Value's numbers may: numeric text is its number (it used to be refused as "got 5").
	const folds = toNumber(rawFolds) ?? NaN;
	const threshold = toNumber(rawThreshold) ?? NaN;
	const l2 = toNumber(rawL2) ?? NaN;
	const seed = toNumber(rawSeed) ?? NaN;
	const got = (raw: unknown): string => JSON.stringify(raw) ?? String(raw);
	// The editor enforces these ranges, an expression does not. A fractional fold count left the
	// rows of fold 0.5, 1.5, ... out of every test fold (scored 0 in the pooled metrics).
	if (!Number.isInteger(folds) || folds < 2 || folds > 20) {
		throw new NodeOperationError(this.getNode(), `Cross-Validation Folds must be a whole number from 2 to 20 (got ${got(rawFolds)})`);
	}
	if (!(threshold >= 0 && threshold <= 1)) {
		throw new NodeOperationError(this.getNode(), `Decision Threshold must be a number from 0 to 1 (got ${got(rawThreshold)})`);
	}
	if (!(l2 >= 0)) {
		throw new NodeOperationError(this.getNode(), `Regularization (L2) must be a number >= 0 (got ${got(rawL2)})`);
	}
	if (Number.isNaN(seed)) {
		throw new NodeOperationError(this.getNode(), `Seed must be a number (got ${got(rawSeed)})`);
	}
	if (features.length === 0) throw new NodeOperationError(this.getNode(), 'Name at least one feature field');
	// The model keeps one coefficient per feature name: a name listed twice lost one of its two.
	const duplicate = features.find((f, j) => features.indexOf(f) !== j);
	if (duplicate !== undefined) throw new NodeOperationError(this.getNode(), `Feature Fields lists "${duplicate}" twice`);
	if (features.includes(target)) throw new NodeOperationError(this.getNode(), `The target "${target}" cannot also be a feature`);
	const errors: INodeExecutionData[] = [];
	const X: number[][] = [];
	const y: boolean[] = [];
	const used: number[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const read = readFeatures(items[i].json, features);
			if ('missing' in read) throw itemError(this, i, `feature field "${read.missing}" is not a number (got ${describeValue(read.value)})`);
			const label = toBoolean(readField(items[i].json, target));
			if (label === undefined) throw itemError(this, i, `target field "${target}" must be true/false, 1/0 or yes/no (got ${JSON.stringify(readField(items[i].json, target)) ?? 'nothing'})`);
			X.push(read.row);
			y.push(label);
			used.push(i);
		} catch (error) {
			handleItemError(this, error, i, errors);
		}
	}
	const positives = y.filter(Boolean).length;
	const negatives = y.length - positives;
	if (positives < 2 || negatives < 2 || y.length < folds) {
		const error = new NodeOperationError(this.getNode(), `Not enough data to train: ${y.length} usable rows, ${positives} positive and ${negatives} negative`, {
			description: `Training needs at least ${folds} rows (one per fold) and at least 2 customers of each class in "${target}".`,
		});
		return modelFailure(this, error, items.length, errors);
	}
	// computed once: the collinearity check and the fit on all rows standardize the same rows
	const scaling = featureScaling(X, features);
	if (l2 === 0) {
		// Without a penalty, features that copy each other have no determined coefficients.
		const collinear = collinearFeatures(X, features, scaling);
		if (collinear) {
			const names = (list: string[]) => list.map((f, k) => (k === 0 ? '' : k === list.length - 1 ? ' and ' : ', ') + `"${f}"`).join('');
			const error = new NodeOperationError(
				this.getNode(),
				`Feature "${collinear.feature}" is a linear combination of ${names(collinear.of)} (perfectly collinear): with Regularization (L2) 0 their coefficients are not determined`,
				{ description: `Any split of the weight between ${names([...collinear.of, collinear.feature])} fits the data equally well, so the coefficients would say nothing about each feature. Leave "${collinear.feature}" out of Feature Fields, or set Regularization (L2) above 0 (default 1).` },
			);
			return modelFailure(this, error, items.length, errors);
		}
	}
	const cv = crossValidate(X, y, features, { folds, seed, threshold, l2 });
	const model = fitLogistic(X, y, features, { l2, scaling });
	// A fit stopped at the iteration limit said only converged: false, easy to miss in the item.
	const warnings: string[] = [];
	if (!model.converged || cv.foldsNotConverged > 0) {
		const which = !model.converged
			? `The model fit did not converge in ${model.iterations} Newton steps${cv.foldsNotConverged > 0 ? ` (nor did ${cv.foldsNotConverged} of the ${folds} cross-validation fits)` : ''}`
			: `${cv.foldsNotConverged} of the ${folds} cross-validation fits did not converge`;
		warnings.push(
			`${which}: with Regularization (L2) ${l2} the coefficients keep growing, which happens when a feature separates the two classes perfectly${l2 === 0 ? ' (or features copy each other within a cross-validation fold)' : ''}; probabilities then go to 0 and 1 and the metrics are not to be trusted. ${l2 === 0 ? 'Set Regularization (L2) above 0 (default 1).' : 'Raise Regularization (L2).'}`,
		);
	}
	// A feature with one value in every row standardizes to 0: coefficient 0, said nowhere before.
	for (const { feature, value } of constantFeatures(X, features)) {
		warnings.push(
			`Feature "${feature}" has the same value (${value}) in all ${y.length} training rows, so the model cannot learn from it: its coefficient is 0 and Predict ignores its value. Leave it out of Feature Fields, or train on rows where it varies.`,
		);
	}
	for (const message of warnings) this.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
	const json: IDataObject = {
		...model,
		target,
		threshold,
		trainedAt: new Date().toISOString(),
		trainingRows: y.length,
		positives,
		metrics: {
			crossValidation: { folds: cv.folds, seed: cv.seed },
			auc: cv.auc,
			precision: cv.atThreshold.precision,
			recall: cv.atThreshold.recall,
			f1: cv.atThreshold.f1,
			accuracy: cv.atThreshold.accuracy,
			topDecileLift: cv.topDecileLift,
			logLoss: cv.logLoss,
			brier: cv.brier,
			confusionMatrix: { ...cv.atThreshold.confusion },
			foldAuc: cv.foldAuc,
		},
		warnings,
	} as unknown as IDataObject;
	return [{ json, pairedItem: used.map((i) => ({ item: i })) }, ...errors];
}
