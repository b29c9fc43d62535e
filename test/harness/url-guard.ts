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

/**
 * Compiles and renders, or returns the compile refusal; a refusal must match `refusal`, a render must
 * hold nothing live (and nothing `also` lists, e.g. outlookLive).
 */
export async function guardOutcome(body: string, data: Record<string, unknown>, refusal: RegExp, escapeHtml = true, also?: (html: string) => string[]): Promise<'refused' | 'rendered'> {
	let html: string;
	try {
		html = renderCompiled(await compileTemplate(guardInput(body, escapeHtml)), data).html;
	} catch (error) {
		expect((error as Error).message).toMatch(refusal);
		return 'refused';
	}
	expect([...live(html), ...(also ? also(html) : [])]).toEqual([]);
	return 'rendered';
}

/** parse5's document (scripting on), walked element by element. */
function elementsOf(html: string): P5Node[] {
	const out: P5Node[] = [];
	const walk = (node: P5Node) => {
		if (node.attrs) out.push(node);
		for (const c of node.childNodes ?? []) walk(c);
		if (node.content) walk(node.content);
	};
	walk(parse(html, { scriptingEnabled: true }) as unknown as P5Node);
	return out;
}

/** parse5's comments, as `data` (what stands between `<!--` and the comment's end). */
function commentsOf(html: string): string[] {
	const out: string[] = [];
	const walk = (node: P5Node) => {
		if (node.nodeName === '#comment' && typeof (node as { data?: string }).data === 'string') out.push((node as { data?: string }).data as string);
		for (const c of node.childNodes ?? []) walk(c);
		if (node.content) walk(node.content);
	};
	walk(parse(html, { scriptingEnabled: true }) as unknown as P5Node);
	return out;
}

/**
 * Outlook's (and old IE's) reading: the content of each downlevel-hidden conditional comment
 * (`<!--[if mso]> … <![endif]-->`) is HTML to them, read here with parse5: what live() finds in it.
 * https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/compatibility/ms537512(v=vs.85)
 */
export function outlookLive(html: string): string[] {
	const out: string[] = [];
	for (const data of commentsOf(html)) {
		const m = /^\[if\b[^\]]*\]>([\s\S]*?)(?:<!\[endif\])?$/i.exec(data);
		if (m) out.push(...live(m[1]).map((x) => `mso ${x}`));
	}
	return out;
}

/** URL attributes a browser loads or navigates (as in live(), and object `data`, `poster`). */
const LOADING_ATTRS = [...URL_ATTRS, 'data', 'poster', 'cite', 'longdesc'];
/** Image types a browser shows as an image only (never a document that runs script). */
const IMAGE_DATA = /^data:image\/(?:png|gif|jpeg|webp)[;,]/i;

/** data: URLs in URL attributes that are not one of the plain image types (a document: text/html, SVG…), as `element attribute=value`. */
export function dataDocuments(html: string): string[] {
	const out: string[] = [];
	for (const el of elementsOf(html)) {
		for (const a of el.attrs ?? []) {
			const v = a.value.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, '');
			if (LOADING_ATTRS.includes(a.name) && /^data:/i.test(v) && !IMAGE_DATA.test(v)) out.push(`${el.nodeName} ${a.name}=${a.value}`);
		}
	}
	return out;
}

/** SVG attributes whose value may reference a resource with url(…) (paint servers, filters, masks, clip paths, markers, cursors). */
export const SVG_REFERENCE_ATTRS = ['fill', 'stroke', 'filter', 'mask', 'clip-path', 'marker-start', 'marker-mid', 'marker-end', 'marker', 'cursor'];

/** url(…) references in SVG reference attributes that point off the document (anything but `#id`), as `element attribute=value`. */
export function offDocumentRefs(html: string): string[] {
	const out: string[] = [];
	for (const el of elementsOf(html)) {
		for (const a of el.attrs ?? []) {
			if (!SVG_REFERENCE_ATTRS.includes(a.name)) continue;
			// CSS reads url( then optional white space and a quoted or unquoted URL (unclosed at the end of the value too)
			for (const m of a.value.matchAll(/url\(\s*(?:"([^"]*)"?|'([^']*)'?|([^)\s]*))/gi)) {
				const target = m[1] ?? m[2] ?? m[3] ?? '';
				if (!target.startsWith('#')) out.push(`${el.nodeName} ${a.name}=${a.value}`);
			}
		}
	}
	return out;
}

/** The href of each <base> element a browser reads. */
export function baseHrefs(html: string): string[] {
	return elementsOf(html)
		.filter((el) => el.nodeName === 'base')
		.map((el) => el.attrs?.find((a) => a.name === 'href')?.value ?? '');
}
