/**
 * Shared by the URL guard tests: render a template with hostile data (or see it refused) and list
 * what a browser would run in the output, read by parse5 (the WHATWG tree builder, scripting on as
 * in an email's web version) and htmlparser2.
 */
import { parse } from 'parse5';
import { compileTemplate, renderCompiled, type TemplateInput } from '../../nodes/engines/render';
import { DomUtils, parseDocument } from './html';

/** An unsubscribe link, which every template needs to compile; `render` takes it off again. */
const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
export const guardInput = (body: string, escapeHtml = true): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi', liquid: { escapeHtml } });
export const guardRender = async (body: string, data: Record<string, unknown>, escapeHtml = true): Promise<string> =>
	renderCompiled(await compileTemplate(guardInput(body, escapeHtml)), data).html.replace(UNSUB, '');
export const JS = 'javascript:alert(1)';
const BAD_SCHEME = /^\s*(?:javascript|vbscript|data):/i;
const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'background'];

/** A parse5 node, the parts the tests read. */
export interface P5Node {
	nodeName: string;
	attrs?: Array<{ name: string; value: string }>;
	childNodes?: P5Node[];
	content?: P5Node;
	value?: string;
}

/** What a browser would run, by both parsers: URL attributes with an unsafe scheme, event handlers, and scripts that run (with their code). */
export function live(html: string): string[] {
	const out: string[] = [];
	const runs = (type: string | undefined) => type === undefined || ['', 'text/javascript', 'module'].includes(type.trim().toLowerCase());
	const walk = (node: P5Node) => {
		for (const a of node.attrs ?? []) {
			if ((URL_ATTRS.includes(a.name) && BAD_SCHEME.test(a.value.replace(/[\t\n\r]/g, ''))) || /^on/.test(a.name)) out.push(`${node.nodeName} ${a.name}=${a.value}`);
		}
		if (node.nodeName === 'script' && runs(node.attrs?.find((a) => a.name === 'type')?.value)) {
			out.push(`script ${(node.attrs ?? []).map((a) => `${a.name}=${a.value}`).join(' ')}: ${(node.childNodes ?? []).map((c) => c.value ?? '').join('')}`);
		}
		for (const c of node.childNodes ?? []) walk(c);
		if (node.content) walk(node.content);
	};
	walk(parse(html, { scriptingEnabled: true }) as unknown as P5Node);
	for (const el of DomUtils.findAll(() => true, parseDocument(html).children)) {
		for (const [name, value] of Object.entries(el.attribs)) {
			if ((URL_ATTRS.includes(name) && BAD_SCHEME.test(value.replace(/[\t\n\r]/g, ''))) || /^on/.test(name)) out.push(`h2 ${el.name} ${name}=${value}`);
		}
	}
	return out;
}

/** Compiles and renders, or returns the compile refusal; a refusal must match `refusal`, a render must hold nothing live. */
export async function guardOutcome(body: string, data: Record<string, unknown>, refusal: RegExp, escapeHtml = true): Promise<'refused' | 'rendered'> {
	let html: string;
	try {
		html = renderCompiled(await compileTemplate(guardInput(body, escapeHtml)), data).html;
	} catch (error) {
		expect((error as Error).message).toMatch(refusal);
		return 'refused';
	}
	expect(live(html)).toEqual([]);
	return 'rendered';
}
