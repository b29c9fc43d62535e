/**
 * An independent HTML parser for structural checks in tests: htmlparser2 (ESM-only since v10),
 * loaded with Node's own require (Node >= 22 loads ES modules synchronously), because jest's
 * module registry cannot load ES modules without --experimental-vm-modules.
 */
import type { Document, Element } from 'domhandler';

interface DomUtilsApi {
	findAll(test: (e: Element) => boolean, nodes: unknown[]): Element[];
	findOne(test: (e: Element) => boolean, nodes: unknown[]): Element | null;
	textContent(node: unknown): string;
}

// process.getBuiltinModule bypasses jest's own `module` shim (whose require would go through jest again).
const { createRequire } = process.getBuiltinModule('node:module') as typeof import('node:module');
const nodeRequire = createRequire(__filename);
const htmlparser2 = nodeRequire('htmlparser2') as { parseDocument(html: string): Document; DomUtils: DomUtilsApi };

export const parseDocument = htmlparser2.parseDocument;
export const DomUtils = htmlparser2.DomUtils;
export type { Document, Element };
