import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { Client } from 'pg';
import type { PostgresConnection } from '../engines/profile';
import { poolConfig } from '../engines/profile/postgres';

/** The credential test of the Personalization PostgreSQL credential (Customer Profile, Personalization Trigger). */
export const POSTGRES_CREDENTIAL_TEST = 'personalizationPostgresConnectionTest';

/**
 * The connection settings of a Personalization PostgreSQL credential (Customer Profile's store,
 * the trigger's shared duplicate memory). `credentialId`: the node's credential id, so a change of
 * its settings retires the pool made for the former ones (engines/profile/index.ts).
 */
export function postgresConnection(c: ICredentialDataDecryptedObject, credentialId: string | undefined): PostgresConnection {
	return {
		host: String(c.host),
		port: Number(c.port ?? 5432),
		database: String(c.database),
		user: String(c.user),
		password: c.password ? String(c.password) : undefined,
		ssl: (c.ssl as 'disable' | 'allow' | 'require' | undefined) ?? 'disable',
		maxConnections: Number(c.maxConnections ?? 5),
		source: credentialId,
	};
}

/** Opens one connection with the credential's settings and runs `SELECT 1`. */
export async function testPostgresCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const c = credential.data ?? {};
	const client = new Client(
		poolConfig({
			host: String(c.host ?? ''),
			port: Number(c.port ?? 5432),
			database: String(c.database ?? ''),
			user: String(c.user ?? ''),
			password: c.password ? String(c.password) : undefined,
			ssl: (c.ssl as 'disable' | 'allow' | 'require' | undefined) ?? 'disable',
		}),
	);
	try {
		await client.connect();
		await client.query('SELECT 1');
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	} finally {
		await client.end().catch(() => undefined);
	}
}
