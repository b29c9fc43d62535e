import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { PostgresConnection } from '../engines/profile';

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
