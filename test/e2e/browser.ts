/**
 * `npm run test:browser` (also run at the end of `npm run test:e2e`): the n8n editor in a real
 * browser (Debian's chromium driven by playwright-core), on a real n8n with the package and
 * the templates loaded.
 *
 *  - signs in as the owner (created through n8n's REST API, as an operator would),
 *  - searches the nodes panel for every node of the package: fails if one is missing,
 *  - opens the cart-recovery template and a node's parameter panel: fails if the node is shown
 *    as unknown/not installed or its panel shows an error or parameter issue,
 *  - keeps screenshots of each step in docs/ (the README's walkthrough uses them).
 *
 * Chromium: `apt-get install -y chromium` (CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { LocalN8n, WorkflowJson } from './local-n8n';
import { OWNER, PREFIX, ROOT, startLocalN8n } from './local-n8n';

const DOCS = path.join(ROOT, 'docs');

export interface BrowserResult {
	name: string;
	ok: boolean;
	error?: string;
}

async function signIn(page: Page, n8n: LocalN8n): Promise<void> {
	await page.goto(`${n8n.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
	await page.locator('input[type="password"]').first().fill(OWNER.password);
	await page.locator('button[type="submit"], [data-test-id="form-submit-button"]').first().click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30000 });
}

async function dismissOverlays(page: Page): Promise<void> {
	await page.keyboard.press('Escape').catch(() => undefined);
	// n8n 2.x shows a "Production Checklist" popover on published workflows.
	const checklist = page.locator('div:has(> div:text-is("Production Checklist")), div:has(> *:text-is("Production Checklist"))').last();
	if (await checklist.isVisible().catch(() => false)) {
		const close = checklist.locator('button, [role="button"], svg').first();
		await close.click().catch(() => undefined);
	}
	for (const sel of ['[data-test-id="dismiss-button"]', 'button:has-text("Skip")', 'button:has-text("Got it")', 'button:has-text("Close")']) {
		const el = page.locator(sel).first();
		if (await el.isVisible().catch(() => false)) await el.click().catch(() => undefined);
	}
}

async function openNodeCreator(page: Page): Promise<void> {
	const search = page.locator('[data-test-id="node-creator-search-bar"] input, [data-test-id="node-creator-search-bar"], input[placeholder^="Search nodes"]').first();
	if (await search.isVisible().catch(() => false)) return;
	const plus = page.locator('[data-test-id="node-creator-plus-button"], [data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first();
	if (await plus.isVisible().catch(() => false)) await plus.click();
	else await page.keyboard.press('Tab');
	await search.waitFor({ state: 'visible', timeout: 15000 });
}

async function searchNode(page: Page, displayName: string): Promise<boolean> {
	await openNodeCreator(page);
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"], input[placeholder^="Search nodes"]').first();
	await input.fill('');
	await input.fill(displayName);
	const item = page.locator('[data-test-id="node-creator-item-name"], [data-test-id="item-iterator-item"]').filter({ hasText: displayName }).first();
	try {
		await item.waitFor({ state: 'visible', timeout: 10000 });
		return true;
	} catch {
		return false;
	}
}

export async function runBrowserTests(n8n: LocalN8n, templates: WorkflowJson[]): Promise<BrowserResult[]> {
	const results: BrowserResult[] = [];
	const check = async (name: string, fn: () => Promise<void>) => {
		try {
			await fn();
			results.push({ name, ok: true });
			process.stdout.write(`  ✓ browser: ${name}\n`);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			results.push({ name, ok: false, error: message });
			process.stdout.write(`  ✗ browser: ${name}\n      ${message.split('\n').join('\n      ')}\n`);
		}
	};
	const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (!fs.existsSync(executablePath)) {
		results.push({ name: 'chromium available', ok: false, error: `${executablePath} not found: apt-get install -y chromium` });
		return results;
	}
	fs.mkdirSync(DOCS, { recursive: true });
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-chromium-'));
	let browser: Browser | undefined;
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		viewport: { width: 1440, height: 900 },
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(30000);
		const types = await n8n.rest.request<Array<{ name: string; displayName: string }>>('GET', '/types/nodes.json');
		const ours = types.filter((t) => t.name.startsWith(PREFIX) && !t.name.endsWith('Tool'));

		await check('sign in to the editor as the owner', async () => {
			await signIn(page, n8n);
			await dismissOverlays(page);
		});

		await check(`nodes panel finds every node of the package (${ours.map((t) => t.displayName).join(', ')})`, async () => {
			await page.goto(`${n8n.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.waitForSelector('[data-test-id="canvas-wrapper"], #canvas, .vue-flow', { timeout: 30000 });
			await dismissOverlays(page);
			const missing: string[] = [];
			for (const t of ours) if (!(await searchNode(page, t.displayName))) missing.push(t.displayName);
			// For the README: the panel listing our Customer nodes.
			if (await searchNode(page, 'Customer Profile')) {
				await searchNode(page, 'Customer');
				await page.waitForTimeout(500);
				await page.screenshot({ path: path.join(DOCS, 'editor-nodes-panel.png') });
			}
			assert.deepEqual(missing, [], `missing from the nodes panel: ${missing.join(', ')}`);
			await page.keyboard.press('Escape');
		});

		const cart = templates.find((t) => t.id === 'pzCartRecovery01') ?? templates[0];
		if (cart) {
			await check(`open template "${cart.name}" on the canvas`, async () => {
				await page.goto(`${n8n.baseUrl}/workflow/${cart.id}`, { waitUntil: 'domcontentloaded' });
				await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30000 });
				await page.waitForTimeout(1000);
				await dismissOverlays(page);
				const fit = page.locator('[data-test-id="zoom-to-fit"]').first();
				if (await fit.isVisible().catch(() => false)) await fit.click();
				await page.waitForTimeout(500);
				const onCanvas = await page.locator('[data-test-id="canvas-node"]').count();
				assert.equal(onCanvas, cart.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length, 'every template node on the canvas');
				// n8n marks nodes it cannot load ("install this node") with an issue badge.
				const issues = await page.locator('[data-test-id="node-issues"]').count();
				await page.screenshot({ path: path.join(DOCS, 'template-cart-recovery.png') });
				assert.equal(issues, 0, `${issues} node(s) on the canvas show issues`);
			});
			// Render Email (screenshot) and ESP Dispatch, whose 1.1 defaults read Render Email's `message`.
			const first = cart.nodes.find((n) => n.type === `${PREFIX}renderEmail`) ?? cart.nodes.find((n) => n.type.startsWith(PREFIX));
			const panels = [first, cart.nodes.find((n) => n.type === `${PREFIX}espDispatch`)].filter((n, k, all): n is (typeof cart.nodes)[number] => !!n && all.indexOf(n) === k);
			for (const ourNode of panels) {
				await check(`open the parameter panel of "${ourNode.name}"`, async () => {
					const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: ourNode.name }).first();
					await node.dblclick();
					const ndv = page.locator('[data-test-id="ndv"], [data-test-id="node-parameters"]').first();
					await ndv.waitFor({ state: 'visible', timeout: 15000 });
					await page.waitForTimeout(1000);
					if (ourNode === first) await page.screenshot({ path: path.join(DOCS, 'node-parameters.png') });
					const params = page.locator('[data-test-id="node-parameters"]');
					assert.ok(await params.isVisible(), 'parameter panel visible');
					const text = await params.innerText();
					assert.ok(!/not (currently )?installed|install this node|unknown node/i.test(text), `panel says the node is not installed: ${text.slice(0, 300)}`);
					const paramIssues = await page.locator('[data-test-id="parameter-issues"]').count();
					assert.equal(paramIssues, 0, `${paramIssues} parameter issue(s) shown in the panel`);
					await page.keyboard.press('Escape');
				});
			}
		}
	} finally {
		await context.close();
		await browser?.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
	return results;
}

if (require.main === module) {
	(async () => {
		const dir = path.join(ROOT, 'templates');
		const templates = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
			.filter((f) => f.endsWith('.json'))
			.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WorkflowJson);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const setup = require('../../scripts/local-setup.js') as { missingNodeTypes(wf: unknown): string[] };
		for (let i = templates.length - 1; i >= 0; i--) if (setup.missingNodeTypes(templates[i]).length) templates.splice(i, 1);
		if (!templates.length) templates.push(JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', 'baseline-webhook-noop.json'), 'utf8')) as WorkflowJson);
		const n8n = await startLocalN8n({ workflows: templates, activate: [] });
		let results: BrowserResult[] = [];
		try {
			results = await runBrowserTests(n8n, templates);
		} finally {
			await n8n.stop();
		}
		const failed = results.filter((r) => !r.ok).length;
		process.stdout.write(`\n${results.length - failed} passed, ${failed} failed\n`);
		process.exitCode = failed ? 1 : 0;
	})().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
