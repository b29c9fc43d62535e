/**
 * Build steps after `tsc`:
 *  1. bundle: every node and credential listed in package.json's `n8n` field is bundled by
 *     esbuild with the libraries it uses (liquidjs, mjml, ...), so the published package has
 *     no runtime `dependencies`. `n8n-workflow` stays external: n8n provides it (peer).
 *     Compiled files that no entry needs any more are removed from dist/.
 *  2. assets: node and credential icons (SVG, light and dark), codex files (*.node.json) and
 *     the published JSON schemas are copied into dist/ beside the code that uses them.
 */
const { series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;
const dist = path.join(root, 'dist');

async function bundle() {
	const esbuild = require('esbuild');
	const { n8n } = require('./package.json');
	const entries = [...n8n.nodes, ...n8n.credentials];
	for (const entry of entries) {
		const file = path.join(root, entry);
		if (!fs.existsSync(file)) throw new Error(`package.json lists ${entry}, but tsc did not emit it`);
	}
	await esbuild.build({
		entryPoints: entries.map((entry) => path.join(root, entry)),
		outdir: dist,
		outbase: dist,
		allowOverwrite: true,
		bundle: true,
		platform: 'node',
		target: 'node22',
		format: 'cjs',
		// n8n provides n8n-workflow; mjml has an optional `await import('typescript')` it never needs.
		external: ['n8n-workflow', 'typescript'],
		legalComments: 'linked',
		logLevel: 'warning',
	});
	const keep = new Set(entries.map((entry) => path.join(root, entry)));
	for (const file of walk(dist)) {
		if (file.endsWith('.js') && !keep.has(file)) fs.rmSync(file);
	}
	removeEmptyDirs(dist);
}

function assets(done) {
	for (const folder of ['nodes', 'credentials']) {
		for (const file of walk(path.join(root, folder))) {
			if (/\.(svg|png)$/.test(file) || file.endsWith('.node.json') || file.endsWith('.schema.json') || file.includes(`${path.sep}examples${path.sep}`)) {
				const target = path.join(dist, path.relative(root, file));
				fs.mkdirSync(path.dirname(target), { recursive: true });
				fs.copyFileSync(file, target);
			}
		}
	}
	done();
}

function* walk(dir) {
	if (!fs.existsSync(dir)) return;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* walk(full);
		else yield full;
	}
}

function removeEmptyDirs(dir) {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
	}
	if (dir !== dist && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

exports.bundle = bundle;
exports.assets = assets;
exports.build = series(bundle, assets);
exports.default = exports.build;
