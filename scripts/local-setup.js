/**
 * What a local n8n user folder gets besides our package: the credentials the templates use
 * (pointing at the local SMTP inbox and carrying local test signing secrets) and the templates
 * themselves, imported and published with n8n's own CLI.
 *
 * Shared by `npm start`, the end-to-end tests, the browser test and bench/e2e.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const rt = require('./n8n-runtime');

const TEMPLATES_DIR = path.join(rt.ROOT, 'templates');

/** Signing secrets of the local instance: test values, never real ones. */
const LOCAL_SECRETS = {
	shopify: 'local-shopify-webhook-secret',
	woocommerce: 'local-woocommerce-webhook-secret',
	stripe: 'whsec_localstripewebhooksecret',
	segment: 'local-segment-shared-secret',
	mailgun: 'local-mailgun-signing-key',
	custom: 'local-custom-hmac-secret',
	unsubscribe: 'local-unsubscribe-link-secret',
};

/** Credential types this package declares, read from the built package.json (`n8n.credentials`). */
function packageCredentialTypes() {
	const pkg = JSON.parse(fs.readFileSync(path.join(rt.ROOT, 'package.json'), 'utf8'));
	return pkg.n8n.credentials.map((p) => path.basename(p).replace(/\.credentials\.js$/, '')).map((cls) => cls[0].toLowerCase() + cls.slice(1));
}

/**
 * Credentials of the local instance in `n8n import:credentials` form (data in clear: n8n
 * encrypts it on import). Only credential types our package actually declares are written.
 * Every template refers to these ids, so an imported template finds its credential.
 */
function localCredentials({ smtpPort }) {
	const types = new Set(packageCredentialTypes());
	const all = [
		{
			id: 'pzLocalSmtpInbox01',
			name: 'Local SMTP inbox (npm start)',
			type: 'personalizationSmtpApi',
			data: { host: '127.0.0.1', port: smtpPort, secure: false, user: '', password: '', ignoreSslIssues: true },
		},
		{
			id: 'pzLocalShopifyHook',
			name: 'Shopify webhook secret (local test value)',
			type: 'personalizationWebhookApi',
			data: { signingSecret: LOCAL_SECRETS.shopify },
		},
		{
			id: 'pzLocalMailgunHook',
			name: 'Mailgun webhook signing key (local test value)',
			type: 'personalizationWebhookApi',
			data: { signingSecret: LOCAL_SECRETS.mailgun },
		},
		{
			id: 'pzLocalSegmentHook',
			name: 'Segment shared secret (local test value)',
			type: 'personalizationWebhookApi',
			data: { signingSecret: LOCAL_SECRETS.segment },
		},
		{
			// Render Email's Signed Unsubscribe Link and the trigger's Unsubscribe Link source sign and check with it.
			id: 'pzLocalUnsubscribeLink',
			name: 'Unsubscribe link signing secret (local test value)',
			type: 'personalizationWebhookApi',
			data: { signingSecret: LOCAL_SECRETS.unsubscribe },
		},
	];
	return all.filter((c) => types.has(c.type));
}

/** Node types this package declares (`n8n-nodes-personalization.<name>`), from package.json. */
function packageNodeTypes() {
	const pkg = JSON.parse(fs.readFileSync(path.join(rt.ROOT, 'package.json'), 'utf8'));
	return pkg.n8n.nodes.map((p) => path.basename(p).replace(/\.node\.js$/, '')).map((cls) => `${rt.PREFIX}${cls[0].toLowerCase()}${cls.slice(1)}`);
}

/** Our node types a workflow uses that this package does not declare (yet). */
function missingNodeTypes(workflow) {
	const have = new Set(packageNodeTypes());
	return [...new Set(workflow.nodes.map((n) => n.type).filter((t) => t.startsWith(rt.PREFIX) && !have.has(t)))];
}

/** The template files, each a workflow object; `transform` may patch them (e.g. shorter waits). */
function readTemplates() {
	if (!fs.existsSync(TEMPLATES_DIR)) return [];
	return fs
		.readdirSync(TEMPLATES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => ({ file: f, workflow: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, f), 'utf8')) }));
}

function hashOf(value) {
	return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Imports credentials and workflows into a user folder with n8n's CLI, then publishes
 * (activates) the workflows that should run. Each CLI call boots n8n (~5-10 s), so callers
 * skip this when nothing changed.
 */
function importIntoUserFolder({ userFolder, credentials, workflows, publishIds, quiet = true }) {
	const work = path.join(userFolder, 'import');
	fs.rmSync(work, { recursive: true, force: true });
	fs.mkdirSync(work, { recursive: true });
	if (credentials.length) {
		rt.writeJson(path.join(work, 'credentials.json'), credentials);
		rt.runCli(['import:credentials', `--input=${path.join(work, 'credentials.json')}`], { userFolder, quiet });
	}
	if (workflows.length) {
		rt.writeJson(path.join(work, 'workflows.json'), workflows);
		rt.runCli(['import:workflow', `--input=${path.join(work, 'workflows.json')}`], { userFolder, quiet });
	}
	for (const id of publishIds) rt.runCli(['publish:workflow', `--id=${id}`], { userFolder, quiet });
}

module.exports = { TEMPLATES_DIR, LOCAL_SECRETS, localCredentials, packageCredentialTypes, packageNodeTypes, missingNodeTypes, readTemplates, importIntoUserFolder, hashOf };
