import type { LocalN8n, WorkflowJson } from './local-n8n';

export interface ScenarioContext {
	n8n: LocalN8n;
	/** What every Wait node of the templates was shortened to. */
	waitSeconds: number;
}

/** One template (or a few) and the real-traffic tests that prove it. */
export interface Scenario {
	name: string;
	/** File names in templates/ this scenario imports and activates. */
	templates: string[];
	/** File names in test/e2e/workflows/ (test-only workflows, not templates) it also imports and activates. */
	fixtures?: string[];
	/** Optional change to a template before import (e.g. a test-only parameter). */
	prepare?(workflow: WorkflowJson): WorkflowJson;
	tests: Array<{ name: string; fn(ctx: ScenarioContext): Promise<void> }>;
}
