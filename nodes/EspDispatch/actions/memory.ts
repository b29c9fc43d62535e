/**
 * Sent-Key Memory: where ESP Dispatch keeps the idempotency keys it sent (Send Emails checks and
 * fills it, Forget Sent Keys removes from it). Workflow Static Data (the default) or the customer
 * profile store's table (engines/dispatch/sentKeys.ts), opened with the same Storage parameters
 * as Customer Profile (shared/profileStore.ts).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { openStore, PostgresProfileStore, SqliteProfileStore } from '../../engines/profile';
import { sentKeyTable, StoreSentKeys, type KeyClaims, type KeyState, type SentKeyTable } from '../../engines/dispatch/sentKeys';
import { storageProperties, storeConfig, STORE_OPTIONS_PARAMETER, TABLE_PREFIX_OPTION } from '../../shared/profileStore';

export const SENT_KEY_MEMORY_PARAMETER = 'sentKeyMemory';
export type SentKeyMemory = 'staticData' | 'profileStore';

const inStore = { [SENT_KEY_MEMORY_PARAMETER]: ['profileStore'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Sent-Key Memory',
		name: SENT_KEY_MEMORY_PARAMETER,
		type: 'options',
		noDataExpression: true,
		default: 'staticData',
		options: [
			{
				name: 'Workflow Static Data',
				value: 'staticData',
				description: 'Kept with the workflow. Only production executions save it, and an execution that resumes after a Wait saves the copy it started with.',
			},
			{
				name: 'Customer Profile Store',
				value: 'profileStore',
				description: 'A table in the Customer Profile database (SQLite file or PostgreSQL): every execution, manual ones included, and every n8n process shares it; each key is claimed before sending',
			},
		],
		description: 'Where the idempotency keys of sent messages are remembered (Duplicate Window). Send Emails and Forget Sent Keys of a workflow should use the same memory.',
	},
	...storageProperties('The Customer Profile database holding the sent keys (table <prefix>sent_keys). Use PostgreSQL in queue mode.', inStore),
	{
		displayName: 'Store Options',
		name: STORE_OPTIONS_PARAMETER,
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: inStore },
		options: [TABLE_PREFIX_OPTION],
	},
];

export function sentKeyMemory(ctx: IExecuteFunctions): SentKeyMemory {
	return ctx.getNodeParameter(SENT_KEY_MEMORY_PARAMETER, 0, 'staticData') === 'profileStore' ? 'profileStore' : 'staticData';
}

/** "Customer Profile Store, SQLite" / "…, PostgreSQL": what error messages name. */
export function memoryLabel(ctx: IExecuteFunctions): string {
	return `Customer Profile Store, ${ctx.getNodeParameter('storage', 0, 'sqlite') === 'postgres' ? 'PostgreSQL' : 'SQLite'}`;
}

/** The workflow's keys in the table: its id (the static-data memory is per workflow too). */
export function memoryScope(ctx: IExecuteFunctions): string {
	return `workflow:${ctx.getWorkflow().id ?? ''}`;
}

/** Opens the table (the profile store's database, its credential loaded for PostgreSQL). */
export async function openSentKeyTable(ctx: IExecuteFunctions): Promise<SentKeyTable> {
	const config = await storeConfig(ctx);
	const store = openStore(config);
	if (!(store instanceof SqliteProfileStore || store instanceof PostgresProfileStore)) throw new Error(`Unknown profile store "${store.kind}"`);
	return sentKeyTable(store, config.tablePrefix);
}

/**
 * The claims of one Send Emails run, the store opened on first use: a store that cannot be opened
 * (credential, file, server) fails like one that cannot be reached, in dispatch's claim.
 */
export function storeClaims(ctx: IExecuteFunctions, windowSeconds: number): KeyClaims {
	let inner: Promise<StoreSentKeys> | undefined;
	const get = () => (inner ??= openSentKeyTable(ctx).then((table) => new StoreSentKeys(table, memoryScope(ctx), windowSeconds)));
	return {
		claim: async (keys: string[], nowMs: number): Promise<Map<string, KeyState>> => (await get()).claim(keys, nowMs),
		check: async (keys: string[], nowMs: number): Promise<Map<string, KeyState>> => (await get()).check(keys, nowMs),
		confirm: async (keys: string[], nowMs: number) => (await get()).confirm(keys, nowMs),
		finish: async (release: string[]) => {
			if (inner) await (await inner.catch(() => undefined))?.finish(release);
		},
	};
}
