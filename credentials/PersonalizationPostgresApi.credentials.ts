import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * PostgreSQL for the Customer Profile store (n8n queue mode). Tested by the Customer Profile
 * node (`testedBy`), which opens a connection and runs `SELECT 1`.
 */
export class PersonalizationPostgresApi implements ICredentialType {
	name = 'personalizationPostgresApi';

	displayName = 'Personalization PostgreSQL API';

	icon: Icon = { light: 'file:personalizationPostgres.svg', dark: 'file:personalizationPostgres.dark.svg' };

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL, as n8n's community rule credential-documentation-url asks
	documentationUrl = 'https://github.com/n8n-nodes-personalization/n8n-nodes-personalization#customer-profile';

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost' },
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432 },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'n8n' },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres' },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Allow (Do Not Verify the Certificate)', value: 'allow' },
				{ name: 'Require (Verify the Certificate)', value: 'require' },
			],
			default: 'disable',
		},
		{
			displayName: 'Maximum Connections',
			name: 'maxConnections',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 5,
			description: 'Connections each n8n process (main or worker) may open to this database',
		},
	];
}
