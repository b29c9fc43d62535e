// n8n's own community-node rules (self-hosted config: retries and rate limits need timers),
// plus eslint-plugin-n8n-nodes-base's community, nodes and credentials rule sets.
import n8nCommunity from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import * as jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

const community = n8nCommunity.configs.recommendedWithoutN8nCloudSupport;
const legacy = n8nNodesBase.configs;

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.n8n-runtime/**', 'coverage/**', '**/*.js', '**/*.mjs', 'test/**', 'bench/**'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		ignores: ['**/*.test.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
		plugins: { ...community.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: { ...community.rules },
	},
	{
		files: ['nodes/**/*.node.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...legacy.nodes.rules },
	},
	{
		files: ['credentials/**/*.credentials.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...legacy.credentials.rules },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { ...community.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: { ...community.rules, ...legacy.community.rules },
	},
	{
		// The domain engines are plain TypeScript: they must not import n8n.
		files: ['nodes/engines/**/*.ts'],
		rules: {
			// Engines cannot import NodeApiError/NodeOperationError by design; the node glue wraps their errors.
			'@n8n/community-nodes/require-node-api-error': 'off',
			'no-restricted-imports': [
				'error',
				{ patterns: [{ group: ['n8n-workflow', 'n8n-core', 'n8n-workflow/*', 'n8n-core/*'], message: 'Engines import nothing from n8n: keep n8n glue in the node folder.' }] },
			],
		},
	},
];
