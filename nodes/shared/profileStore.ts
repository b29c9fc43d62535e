import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { openStore, type ProfileStore, type StoreConfig } from '../engines/profile';
import { postgresConnection } from './postgres';

/**
 * The customer profile store's parameters (Storage, Database File, Store Options → Table Prefix),
 * read the same way by Customer Profile and by ESP Dispatch's Sent-Key Memory = Customer Profile
 * Store, so both open the same database (openStore caches one SQLite handle per file and one
 * PostgreSQL pool per credential per process).
 */
export const STORAGE_PARAMETER = 'storage';
export const DATABASE_FILE_PARAMETER = 'databaseFile';
export const STORE_OPTIONS_PARAMETER = 'storeOptions';

/** The Storage and Database File parameters, shown under `show` (plus Storage's own condition for the file). */
export function storageProperties(description: string, show: IDisplayOptions['show'] = undefined): INodeProperties[] {
	return [
		{
			displayName: 'Storage',
			name: STORAGE_PARAMETER,
			type: 'options',
			noDataExpression: true,
			default: 'sqlite',
			options: [
				{ name: 'Embedded SQLite', value: 'sqlite', description: 'One file in the n8n folder; for a single n8n instance' },
				{ name: 'PostgreSQL', value: 'postgres', description: 'For queue mode and several workers' },
			],
			description,
			...(show ? { displayOptions: { show } } : {}),
		},
		{
			displayName: 'Database File',
			name: DATABASE_FILE_PARAMETER,
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/personalization-profiles.sqlite',
			description: 'Path of the SQLite file. Leave empty for personalization-profiles.sqlite in the n8n folder (~/.n8n or $N8N_USER_FOLDER/.n8n).',
			displayOptions: { show: { ...(show ?? {}), [STORAGE_PARAMETER]: ['sqlite'] } },
		},
	];
}

/** Store Options → Table Prefix. */
export const TABLE_PREFIX_OPTION: INodeProperties = {
	displayName: 'Table Prefix',
	name: 'tablePrefix',
	type: 'string',
	default: 'pz_',
	description: 'Prefix of the store’s tables (lower-case letters, digits, underscores); separate stores can share one database',
};

/** The store configuration the node's storage parameters give (the credential loaded for PostgreSQL). */
export async function storeConfig(ctx: IExecuteFunctions): Promise<StoreConfig> {
	const storage = ctx.getNodeParameter(STORAGE_PARAMETER, 0) as string;
	const options = ctx.getNodeParameter(STORE_OPTIONS_PARAMETER, 0, {}) as IDataObject;
	const shared = {
		tablePrefix: (options.tablePrefix as string | undefined) || 'pz_',
		retentionDays: (options.retentionDays as number | undefined) ?? 365,
		recentViews: (options.recentViews as number | undefined) ?? 10,
		recentSearches: (options.recentSearches as number | undefined) ?? 10,
	};
	if (storage === 'postgres') {
		const c = await ctx.getCredentials('personalizationPostgresApi');
		return {
			backend: 'postgres',
			// the credential: when its settings change, the pool made for the former ones is retired
			connection: postgresConnection(c, ctx.getNode().credentials?.personalizationPostgresApi?.id ?? undefined),
			...shared,
		};
	}
	const file = (ctx.getNodeParameter(DATABASE_FILE_PARAMETER, 0, '') as string).trim();
	return { backend: 'sqlite', file: file || undefined, ...shared };
}

/** Builds (or reuses) the store the node's storage parameters point to. */
export async function getStore(ctx: IExecuteFunctions): Promise<ProfileStore> {
	const config = await storeConfig(ctx);
	try {
		return openStore(config);
	} catch (error) {
		throw exactError(ctx, `Cannot open the profile store: ${(error as Error).message}`);
	}
}

/**
 * A NodeOperationError that keeps its message as written. n8n replaces a message that mentions a
 * system error code (ECONNREFUSED, ENOENT, EEXIST…) by a generic sentence such as "The service
 * refused the connection - perhaps it is offline", which would drop the item and the store's own
 * words; the generic sentence is not put back.
 */
export function exactError(ctx: IExecuteFunctions, message: string, options: { itemIndex?: number; description?: string } = {}): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, options);
	error.message = message;
	return error;
}
