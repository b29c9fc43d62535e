import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { predictProbability, scoreTerm, type LogisticModel } from '../../engines/segments/logistic';
import { handleItemError, itemError, parseJsonParameter, toNumber } from './common';
import { describeValue, readFeatures } from './model';

const show = { operation: ['predict'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'json',
		displayOptions: { show },
		default: '',
		required: true,
		placeholder: "={{ $('Train Model').first().json }}",
		description: 'The model item that Train Model produced (from a data table, a file, or an expression)',
	},
	{
		displayName: 'Positive Label',
		name: 'positiveLabel',
		type: 'string',
		displayOptions: { show },
		default: 'High-Value',
		description: 'Label for customers at or above the threshold, e.g. High-Value or At-Risk',
	},
	{
		displayName: 'Negative Label',
		name: 'negativeLabel',
		type: 'string',
		displayOptions: { show },
		default: 'Other',
		description: 'Label for the others',
	},
	{
		displayName: 'Options',
		name: 'predictOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Threshold',
				name: 'threshold',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
				default: 0.5,
				description: "Overrides the model's decision threshold",
			},
			{ displayName: 'Probability Field', name: 'probabilityField', type: 'string', default: 'probability' },
			{ displayName: 'Label Field', name: 'labelField', type: 'string', default: 'label' },
		],
	},
];

function isProbability(value: unknown): value is number {
	return typeof value === 'number' && value >= 0 && value <= 1;
}

function validModel(value: unknown): string | undefined {
	if (typeof value !== 'object' || value === null) return 'the model is empty or not an object';
	const m = value as Record<string, unknown>;
	if (m.kind !== 'logisticRegression') return 'this is not a model from Train Model (kind must be "logisticRegression")';
	// Train Model writes version 1; a model from another version of this package may mean something else.
	if (m.version !== undefined && m.version !== 1) return `the model has version ${JSON.stringify(m.version)}; this node reads version 1 (train the model again with this node)`;
	if (!Array.isArray(m.features) || m.features.length === 0) return 'the model has no features';
	const notName = (m.features as unknown[]).find((f) => typeof f !== 'string' || f.trim() === '');
	if (notName !== undefined) return `the model's features must be field names (got ${JSON.stringify(notName)})`;
	const duplicate = (m.features as unknown[]).find((f, j) => (m.features as unknown[]).indexOf(f) !== j);
	if (duplicate !== undefined) return `the model lists feature "${String(duplicate)}" twice`;
	if (m.threshold !== undefined && !isProbability(m.threshold)) return `the model's threshold must be a number from 0 to 1 (got ${JSON.stringify(m.threshold)})`;
	if (!Array.isArray(m.scaling) || m.scaling.length !== m.features.length) return 'the model has no feature scaling';
	if (typeof m.intercept !== 'number' || typeof m.coefficients !== 'object' || m.coefficients === null) return 'the model has no coefficients';
	if (!Number.isFinite(m.intercept)) return 'the model\'s intercept is not a finite number';
	const features = m.features as string[];
	for (const f of features) {
		const c = (m.coefficients as Record<string, unknown>)[f];
		if (typeof c !== 'number') return `the model has no coefficient for "${f}"`;
		if (!Number.isFinite(c)) return `the model's coefficient for "${f}" is not a finite number`;
	}
	// predictProbability divides by sd: a hand-edited or truncated scaling would give NaN.
	for (let j = 0; j < features.length; j++) {
		const s = (m.scaling as unknown[])[j] as { mean?: unknown; sd?: unknown } | null;
		if (typeof s !== 'object' || s === null || !Number.isFinite(s.mean) || !(typeof s.sd === 'number' && Number.isFinite(s.sd) && s.sd > 0)) {
			return `the model's scaling for "${features[j]}" needs a finite mean and an sd > 0`;
		}
		// Scaling is applied by position: an entry naming another feature (reordered by hand or by
		// a store) would standardize a feature with another one's mean and sd, silently.
		const named = (s as { feature?: unknown }).feature;
		if (named !== undefined && named !== features[j]) {
			return `the model's scaling entry ${j + 1} is for ${JSON.stringify(named)}, but its feature ${j + 1} is "${features[j]}" (scaling must list the features in the same order)`;
		}
	}
	return undefined;
}

type Model = LogisticModel & { threshold?: number };

/**
 * The Model parameter of each item, parsed and checked once per distinct value: a model given as
 * JSON text (a data table, a file) or from an expression is usually the same for every item, and
 * parsing it again for each of 100,000 items cost more than scoring them. Text is remembered by its
 * value, an object by identity (WeakMap: never kept alive for the cache's sake). Only valid models
 * are remembered, so an error still names each item it hits.
 */
class ModelReader {
	private readonly byText = new Map<string, Model>();
	private readonly byObject = new WeakMap<object, Model>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	read(i: number): Model {
		const raw = this.ctx.getNodeParameter('model', i);
		const known = typeof raw === 'string' ? this.byText.get(raw) : typeof raw === 'object' && raw !== null ? this.byObject.get(raw) : undefined;
		if (known !== undefined) return known;
		const model = parseJsonParameter(this.ctx, raw, 'Model', i) as Model;
		const problem = validModel(model);
		if (problem) throw itemError(this.ctx, i, `Model: ${problem}`, 'Feed the item that Train Model output into "Model".');
		if (typeof raw === 'string') this.byText.set(raw, model);
		else if (typeof raw === 'object' && raw !== null) this.byObject.set(raw, model);
		return model;
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const models = new ModelReader(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const model = models.read(i);
			const options = this.getNodeParameter('predictOptions', i, {}) as IDataObject;
			const rawThreshold = (options.threshold as unknown) ?? model.threshold ?? 0.5;
			// An expression may give it as text ("0.3" from a sheet): numeric text is its number.
			const threshold = toNumber(rawThreshold);
			// The editor keeps it in 0-1, an expression does not (50 for 50% would label nobody positive).
			if (!isProbability(threshold)) throw itemError(this, i, `Threshold must be a number from 0 to 1 (got ${JSON.stringify(rawThreshold)})`);
			const read = readFeatures(items[i].json, model.features);
			if ('missing' in read) {
				throw itemError(
					this,
					i,
					read.value === undefined
						? `the model needs feature "${read.missing}", which the item does not have`
						: `the model needs feature "${read.missing}" as a number (got ${describeValue(read.value)})`,
					`Model features: ${model.features.join(', ')}. Add the field to the items (same name as when training).`,
				);
			}
			const p = predictProbability(model, read.row);
			if (Number.isNaN(p)) {
				// finite values so far from the training data that coefficient × (value − mean) / sd overflows, + and − ∞
				const j = model.features.findIndex((_, k) => !Number.isFinite(scoreTerm(model, k, read.row[k])));
				throw itemError(this, i, `feature "${model.features[j]}" (${read.row[j]}) is too far from the model's training data (mean ${model.scaling[j].mean}, sd ${model.scaling[j].sd}): its term in the score is infinite, so no probability can be given`);
			}
			out.push({
				json: {
					...items[i].json,
					[String(options.probabilityField ?? 'probability')]: p,
					[String(options.labelField ?? 'label')]: p >= threshold ? (this.getNodeParameter('positiveLabel', i) as string) : (this.getNodeParameter('negativeLabel', i) as string),
				},
				pairedItem: { item: i },
			});
		} catch (error) {
			handleItemError(this, error, i, out);
		}
	}
	return out;
}
