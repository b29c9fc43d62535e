/**
 * The published package: what `npm pack` ships, and that n8n-core's PackageDirectoryLoader
 * loads every node and credential from the packed tarball installed into a clean folder
 * holding nothing but n8n-workflow (so every library a node uses must be bundled).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackageDirectoryLoader } from 'n8n-core';
import { PACKAGE_ROOT } from '../harness/engine';

const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));

describe('published package', () => {
	let packedFiles: string[] = [];
	let tarball = '';
	let scratch = '';

	beforeAll(() => {
		scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-personalization-pack-'));
		const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
		packedFiles = info.files.map((f) => f.path);
		tarball = path.join(scratch, path.basename(info.filename));
	}, 120000);

	afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

	it('has the n8n community package shape', () => {
		expect(pkg.name).toBe('n8n-nodes-personalization');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.overrides).toBeUndefined();
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.strict).toBe(true);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(file).toMatch(/^dist\//);
	});

	it('packs every node, its light and dark icon and its codex file', () => {
		for (const nodeFile of pkg.n8n.nodes as string[]) {
			expect(packedFiles).toContain(nodeFile);
			const dir = path.dirname(nodeFile);
			const base = path.basename(nodeFile, '.node.js');
			expect(packedFiles).toContain(`${dir}/${base}.node.json`);
			const icons = packedFiles.filter((f) => f.startsWith(`${dir}/`) && f.endsWith('.svg'));
			expect(icons.some((f) => f.endsWith('.dark.svg'))).toBe(true);
			expect(icons.some((f) => !f.endsWith('.dark.svg'))).toBe(true);
		}
		for (const credFile of pkg.n8n.credentials as string[]) expect(packedFiles).toContain(credFile);
		expect(packedFiles).toContain('dist/nodes/engines/types/canonical-event.schema.json');
		expect(packedFiles.filter((f) => f.endsWith('.ts'))).toEqual([]);
	});

	it('loads every node and credential from the tarball with only n8n-workflow beside it', async () => {
		const install = path.join(scratch, 'install');
		const target = path.join(install, 'node_modules', pkg.name);
		fs.mkdirSync(target, { recursive: true });
		execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
		fs.symlinkSync(
			path.join(PACKAGE_ROOT, 'node_modules', 'n8n-workflow'),
			path.join(install, 'node_modules', 'n8n-workflow'),
			'dir',
		);
		expect(fs.readdirSync(path.join(install, 'node_modules')).sort()).toEqual([pkg.name, 'n8n-workflow'].sort());

		const loader = new PackageDirectoryLoader(target);
		await loader.loadAll();
		const expectedNodes = (pkg.n8n.nodes as string[]).length;
		expect(loader.loadedNodes).toHaveLength(expectedNodes);
		expect(Object.keys(loader.credentialTypes)).toHaveLength((pkg.n8n.credentials as string[]).length);
		for (const { name } of loader.loadedNodes) {
			const description = loader.nodeTypes[name].type.description;
			expect(description.name).toBe(name);
			// The loader rewrites `file:` icons to URLs under icons/<package>/: both files must exist.
			const iconUrl = description.iconUrl as { light: string; dark: string };
			for (const url of [iconUrl.light, iconUrl.dark]) {
				expect(url).toMatch(new RegExp(`^icons/${pkg.name}/dist/`));
				expect(fs.existsSync(path.join(target, url.replace(`icons/${pkg.name}/`, '')))).toBe(true);
			}
		}
	});
});
