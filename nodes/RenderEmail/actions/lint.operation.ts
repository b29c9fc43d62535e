import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { lintTemplate } from '../../engines/render';
import { liquidOptions, parseJsonParameter, readData, readTemplate, readUnsubscribeUrl, withUnsubscribeUrl } from './shared';

const show = { show: { operation: ['lint'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Sample Recipient',
		name: 'sample',
		type: 'json',
		default: '',
		displayOptions: show,
		description: 'Recipient data to check the template against, as JSON. Leave empty to use the first input item.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: liquidOptions,
	},
];

/**
 * Aggregates: one report item for the template (the template parameters of the first item and
 * the sample), paired with every input item.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const pairedItem = items.map((_, i) => ({ item: i }));
	try {
		const { input, defaults } = readTemplate(this, 0);
		const sampleParam = parseJsonParameter(this, 'sample', 0, undefined);
		let sample: Record<string, unknown>;
		if (sampleParam === undefined || sampleParam === '') {
			sample = items.length ? readData(this, items[0].json, 0) : {};
		} else if (typeof sampleParam === 'object' && sampleParam !== null && !Array.isArray(sampleParam)) {
			sample = sampleParam as Record<string, unknown>;
		} else {
			throw new NodeOperationError(this.getNode(), '"Sample Recipient" must be a JSON object', { itemIndex: 0 });
		}
		// As Render reads it: the Unsubscribe URL (of the first item) is the sample's unsubscribe_url.
		const report = await lintTemplate(input, withUnsubscribeUrl(sample, readUnsubscribeUrl(this, 0)), defaults);
		return [{ json: { ...report, findings: report.findings.map((f) => ({ ...f })) } as never, pairedItem }];
	} catch (error) {
		if (this.continueOnFail()) return [{ json: { error: (error as Error).message }, pairedItem }];
		throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
	}
}
