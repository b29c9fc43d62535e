import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { POSTGRES_CREDENTIAL_TEST, testPostgresCredential } from '../shared/postgres';
import { storageProperties, TABLE_PREFIX_OPTION } from '../shared/profileStore';
import { operations, router } from './actions/router';

/** Two named outputs for Check Event Since and Apply Frequency Cap set to Route to Two Outputs, else one. */
const OUTPUTS =
	'={{ $parameter.operation === "checkSince" && $parameter.checkOutput === "route" ? [{ "type": "main", "displayName": "Happened" }, { "type": "main", "displayName": "Not Happened" }] : $parameter.operation === "frequencyCap" && $parameter.capOutput === "route" ? [{ "type": "main", "displayName": "Within Cap" }, { "type": "main", "displayName": "Over Cap" }] : ["main"] }}';

export class CustomerProfile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Customer Profile',
		name: 'customerProfile',
		icon: { light: 'file:customerProfile.svg', dark: 'file:customerProfile.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Store canonical events as customer profiles; check purchases since a cart, cap email frequency, export for scoring, erase',
		defaults: { name: 'Customer Profile' },
		usableAsTool: true,
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node -- superseded by n8n's node-connection-type-literal rule
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS,
		credentials: [
			{
				name: 'personalizationPostgresApi',
				required: true,
				testedBy: 'personalizationPostgresConnectionTest', // = POSTGRES_CREDENTIAL_TEST, written out for the community-node lint (it reads literals)
				displayOptions: { show: { storage: ['postgres'] } },
			},
		],
		properties: [
			// eslint-disable-next-line @n8n/community-nodes/resource-operation-pattern -- one resource (the customer); seven operations read better flat
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'record',
				options: [
					{ name: 'Apply Frequency Cap', value: 'frequencyCap', action: 'Apply a frequency cap', description: 'At most N emails of a category per address in W hours, across all workflows: takes a slot when within the cap' },
					{ name: 'Check Event Since', value: 'checkSince', action: 'Check whether an event happened since', description: 'Did the customer do X (e.g. buy) since a time or since this event?' },
					{ name: 'Check Suppression', value: 'suppression', action: 'Check whether an address is suppressed', description: 'Is the recipient unsubscribed, bounced or a complainer?' },
					{ name: 'Erase Customer', value: 'erase', action: 'Erase a customer', description: 'Delete a customer, their identities and events (GDPR right to erasure); an unsubscribed, bounced or complaining address stays suppressed, kept only as a hash' },
					{ name: 'Export for Scoring', value: 'export', action: 'Export profiles or transactions', description: 'Profiles or orders out as items or a CSV file' },
					{ name: 'Get Profile', value: 'get', action: 'Get a customer profile', description: 'Add the customer’s profile to each item' },
					{ name: 'Record Events', value: 'record', action: 'Record events', description: 'Fold canonical events into customer profiles' },
				],
			},
			...storageProperties('Where profiles and events are kept. Every Customer Profile node of a workflow should use the same storage.'),
			...operations.record.description,
			...operations.get.description,
			...operations.checkSince.description,
			...operations.export.description,
			...operations.erase.description,
			...operations.suppression.description,
			...operations.frequencyCap.description,
			{
				displayName: 'Store Options',
				name: 'storeOptions',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Keep Raw Events (Days)',
						name: 'retentionDays',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 365,
						description: 'Raw events older than this are deleted (profiles keep their totals). 0 keeps them forever. "Check Event Since" and transaction exports only see kept events.',
					},
					{
						displayName: 'Recent Searches to Keep',
						name: 'recentSearches',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100 },
						default: 10,
					},
					{
						displayName: 'Recent Views to Keep',
						name: 'recentViews',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100 },
						default: 10,
						description: 'Product views kept per customer (newest first, one per product)',
					},
					TABLE_PREFIX_OPTION,
				],
			},
		],
	};

	methods = {
		credentialTest: {
			[POSTGRES_CREDENTIAL_TEST]: testPostgresCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
