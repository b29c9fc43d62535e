/**
 * The block library: `{% render 'name' %}` is resolved in memory (never from the filesystem) by
 * inlining the block, wrapped in its display rule, with its fallback block in the `else` branch.
 * Inlining happens before MJML compiles, so a block may hold MJML sections. A `pz_shown` marker
 * records, per recipient, which blocks actually rendered (`blocks_shown`).
 */
import { compareValues, containsValue, isComparableValue, looseEquals, momentOf, numberOf } from '../rules/compare';
import { scanLiquid, SourceMap } from './source';
import type { Block, RuleOperator, StructuredRule } from './types';
import { TemplateError } from './types';

export const MAX_BLOCK_DEPTH = 10;

export interface Expanded {
	text: string;
	map: SourceMap;
	/** Blocks with structured rules: evaluated in JS per recipient into `__pz.rules[name]`. */
	structured: Map<string, StructuredRule[]>;
	/** Blocks referenced from the body (directly or through other blocks / fallbacks). */
	used: Set<string>;
	/** Per block: the loop variables (and `forloop` / `tablerowloop`) in scope wherever it is included. */
	loopVariables: Map<string, Set<string>>;
}

const RENDER_RE = /^\{%-?\s*(?:render|include)\s+(?:'([^']+)'|"([^"]+)")\s*(-?)%\}$/;

export function normalizeBlocks(blocks: Block[] | undefined): Map<string, Block> {
	const byName = new Map<string, Block>();
	for (const [i, block] of (blocks ?? []).entries()) {
		if (!block || typeof block !== 'object') throw new TemplateError(`Block ${i} is not an object`, { check: 'block-library' });
		if (typeof block.name !== 'string' || !/^[\w-]+$/.test(block.name)) {
			throw new TemplateError(`Block ${i}: "name" must be letters, digits, _ or - (got ${JSON.stringify(block.name)})`, { check: 'block-library' });
		}
		if (typeof block.content !== 'string') throw new TemplateError(`Block "${block.name}": "content" must be a string`, { check: 'block-library' });
		if (byName.has(block.name)) throw new TemplateError(`Block "${block.name}" is defined twice`, { check: 'block-library' });
		if (block.fallback !== undefined && typeof block.fallback !== 'string') {
			throw new TemplateError(`Block "${block.name}": "fallback" must be a block name`, { check: 'block-library' });
		}
		// a blank Liquid condition failed at compile as `body line 1: invalid value expression: ""`, naming no block;
		// an empty list of structured rules (all of none hold) showed the block always, never its fallback
		if ((typeof block.rule === 'string' && !block.rule.trim()) || (Array.isArray(block.rule) && block.rule.length === 0)) {
			throw new TemplateError(
				`Block "${block.name}": "rule" is empty: write a Liquid condition (e.g. cart.items.size > 0) or a structured rule, or leave "rule" out to always show the block`,
				{ check: 'block-library' },
			);
		}
		structuredRules(block).forEach((rule, k) => validateRule(block.name, rule, Array.isArray(block.rule) ? `rule ${k + 1}` : 'the rule'));
		byName.set(block.name, block);
	}
	for (const block of byName.values()) {
		if (block.fallback && !byName.has(block.fallback)) {
			throw new TemplateError(`Block "${block.name}": fallback block "${block.fallback}" is not in the block library`, { check: 'block-library' });
		}
	}
	return byName;
}

function structuredRules(block: Block): StructuredRule[] {
	if (block.rule === undefined || block.rule === null || typeof block.rule === 'string') return [];
	return Array.isArray(block.rule) ? block.rule : [block.rule];
}

const OPERATORS: RuleOperator[] = [
	'exists', 'notExists', 'isEmpty', 'isNotEmpty', 'equals', 'notEquals', 'contains', 'notContains',
	'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'withinDays', 'olderThanDays',
];

function validateRule(block: string, rule: StructuredRule, which: string): void {
	if (!rule || typeof rule !== 'object' || typeof rule.field !== 'string' || !rule.field) {
		throw new TemplateError(`Block "${block}": a structured rule needs "field" (a dot path such as "profile.segment")`, { check: 'block-library' });
	}
	if (!OPERATORS.includes(rule.operator)) {
		throw new TemplateError(`Block "${block}": unknown operator "${String(rule.operator)}" (use one of ${OPERATORS.join(', ')})`, { check: 'block-library' });
	}
	const refuse = (needs: string): never => {
		throw new TemplateError(
			`Block "${block}": ${which} (field "${rule.field}", operator "${rule.operator}") needs "value" to be ${needs} (got ${JSON.stringify(rule.value) ?? 'no value'})`,
			{ check: 'block-library' },
		);
	};
	const v = rule.value;
	switch (rule.operator) {
		// with one value instead of a list, "in" never held and "notIn" always did
		case 'in':
		case 'notIn':
			if (!Array.isArray(v)) refuse('a list, e.g. ["FR", "BE"]');
			break;
		// without a value, equals never held, notEquals always did, contains looked for "undefined"
		case 'equals':
		case 'notEquals':
		case 'contains':
		case 'notContains':
			if (v === undefined || v === null) refuse('text, a number or true/false (isEmpty / notExists test for a missing value)');
			break;
		// a value that is neither a number nor a date ("yesterday", "0x10") compares with nothing: always false
		case 'gt':
		case 'gte':
		case 'lt':
		case 'lte':
			if (!isComparableValue(v)) refuse('a number or an ISO date, e.g. 100 or "2024-01-01"');
			break;
		// a number of days; anything else made the rule always false
		case 'withinDays':
		case 'olderThanDays': {
			const days = numberOf(v);
			if (days === undefined || days < 0) refuse('a number of days, e.g. 30');
			break;
		}
	}
}

/** A `{% for %}` / `{% tablerow %}` open where a block is included, and its variable. */
interface Loop {
	tag: string;
	variable: string;
	/** In the loop's `{% else %}` branch (an empty list): the variable is not bound there. */
	inElse?: boolean;
}

const LOOP_RE = /^\{%-?\s*(?:for|tablerow)\s+([\w-]+)\s+in\b/;

/**
 * A structured rule is evaluated once per recipient on the recipient data (evaluateBlockRules),
 * so inside a loop it never sees the loop's item: `{ "field": "p.in_stock" }` in
 * `{% for p in recs %}` read the data's `p` (none) and showed the fallback for every item.
 * Refused, naming the loop, with the Liquid condition that reads the item.
 */
function refuseLoopFields(name: string, rules: StructuredRule[], loops: Loop[]): void {
	for (const rule of rules) {
		const root = rule.field.split('.')[0];
		const loop = [...loops].reverse().find((l) => !l.inElse && (l.variable === root || root === `${l.tag}loop`));
		if (!loop) continue;
		throw new TemplateError(
			`Block "${name}": its rule reads "${rule.field}", but "${root}" is the variable of the {% ${loop.tag} ${loop.variable} %} loop around {% render '${name}' %}: a structured rule reads the recipient data once, never the loop's item. Write the rule as a Liquid condition, which reads it (e.g. "rule": "${rule.field} == …")`,
			{ check: 'block-library', source: `block:${name}` },
		);
	}
}

/**
 * Inlines every `{% render 'name' %}` of the body, recursively, with rules and fallbacks. The
 * inlined text is counted as it grows: past `parseLimit` characters it stops with the parse
 * limit's error (a few blocks each rendering the next several times grow exponentially).
 */
export function expandBlocks(body: string, blocks: Map<string, Block>, bodyName = 'body', parseLimit = Infinity): Expanded {
	const map = new SourceMap();
	let length = 0;
	const grow = (n: number): void => {
		length += n;
		if (length > parseLimit) {
			throw new TemplateError(`${bodyName}: parse length limit exceeded (the body with its blocks inlined is longer than ${parseLimit} characters)`, {
				check: 'liquid-syntax',
				source: bodyName,
			});
		}
	};
	const structured = new Map<string, StructuredRule[]>();
	const used = new Set<string>();
	const loopVariables = new Map<string, Set<string>>();
	map.addSource(bodyName, body);
	for (const block of blocks.values()) map.addSource(`block:${block.name}`, block.content);

	const gen = (text: string, source: string, offset: number): void => {
		grow(text.length);
		map.generated(text, source, offset);
	};

	const expandSource = (source: string, text: string, stack: string[], outerLoops: Loop[]): void => {
		let pos = 0;
		const loops = [...outerLoops];
		// the tags an `{% else %}` can belong to, opened in this source: it ends a for loop's scope only when it is the for's own
		const open: string[] = [];
		for (const token of scanLiquid(text, source)) {
			if (token.kind !== 'tag') continue;
			if (token.name === 'for' || token.name === 'tablerow' || token.name === 'if' || token.name === 'unless' || token.name === 'case') open.push(token.name);
			if (token.name === 'for' || token.name === 'tablerow') {
				const variable = LOOP_RE.exec(token.text)?.[1];
				loops.push({ tag: token.name, variable: variable ?? '' });
				continue;
			}
			if (token.name === 'else' && open[open.length - 1] === 'for' && loops.length > outerLoops.length) {
				loops[loops.length - 1] = { ...loops[loops.length - 1], inElse: true };
				continue;
			}
			if (/^end(?:for|tablerow|if|unless|case)$/.test(token.name)) {
				const tag = token.name.slice(3);
				const opened = open.lastIndexOf(tag);
				if (opened >= 0) open.splice(opened, 1);
			}
			if (token.name === 'endfor' || token.name === 'endtablerow') {
				const at = loops.map((l) => l.tag).lastIndexOf(token.name.slice(3));
				if (at >= outerLoops.length) loops.splice(at, 1);
				continue;
			}
			if (token.name !== 'render' && token.name !== 'include') continue;
			const m = RENDER_RE.exec(token.text);
			if (!m) {
				throw new TemplateError(
					`${source}: "${token.text}" is not supported: blocks are included by a quoted name only, e.g. {% render 'recommendations' %} (a block sees all recipient data, no parameters needed)`,
					{ check: 'block-library', source },
				);
			}
			grow(token.start - pos);
			map.append(source, pos, token.start);
			emitBlock(m[1] ?? m[2], source, token.start, stack, loops);
			pos = token.end;
		}
		grow(text.length - pos);
		map.append(source, pos, text.length);
	};

	const emitBlock = (name: string, from: string, offset: number, stack: string[], loops: Loop[]): void => {
		const block = blocks.get(name);
		if (!block) {
			const known = [...blocks.keys()];
			throw new TemplateError(
				`${from}: block "${name}" is not in the block library${known.length ? ` (blocks: ${known.join(', ')})` : ''}`,
				{ check: 'block-library', source: from },
			);
		}
		if (stack.includes(name)) {
			throw new TemplateError(`Blocks include each other in a cycle: ${[...stack, name].join(' → ')}`, { check: 'block-library', source: from });
		}
		if (stack.length >= MAX_BLOCK_DEPTH) {
			throw new TemplateError(`Blocks nest deeper than ${MAX_BLOCK_DEPTH} levels at "${name}"`, { check: 'block-library', source: from });
		}
		used.add(name);
		const here = new Set(loops.filter((l) => !l.inElse).flatMap((l) => [l.variable, `${l.tag}loop`]));
		const seen = loopVariables.get(name);
		loopVariables.set(name, seen ? new Set([...seen].filter((v) => here.has(v))) : here);
		const src = `block:${name}`;
		const hasRule = block.rule !== undefined && block.rule !== null;
		const marker = `{% pz_shown "${name}" %}`;
		if (!hasRule) {
			gen(marker, from, offset);
			expandSource(src, block.content, [...stack, name], loops);
			return;
		}
		let condition: string;
		if (typeof block.rule === 'string') {
			condition = block.rule.trim();
			if (/%\}|\}\}|\{%|\{\{/.test(condition)) {
				throw new TemplateError(
					`Block "${name}": the rule is a bare Liquid condition, without {% %} (e.g. cart.items.size > 0 and profile.segment == "vip")`,
					{ check: 'block-library', source: src },
				);
			}
			map.addSource(`${src} rule`, condition);
		} else {
			refuseLoopFields(name, structuredRules(block), loops);
			structured.set(name, structuredRules(block));
			condition = `__pz.rules["${name}"]`;
		}
		gen('{% if ', from, offset);
		if (typeof block.rule === 'string') {
			grow(condition.length);
			map.append(`${src} rule`, 0, condition.length);
		}
		else gen(condition, `${src} rule`, 0);
		gen(` %}${marker}`, from, offset);
		expandSource(src, block.content, [...stack, name], loops);
		if (block.fallback) {
			gen('{% else %}', from, offset);
			emitBlock(block.fallback, src, 0, [...stack, name], loops);
		}
		gen('{% endif %}', from, offset);
	};

	expandSource(bodyName, body, [], []);
	return { text: map.toString(), map, structured, used, loopVariables };
}

/**
 * Reads a dot path (`a.b.0.c`, `cart.items.size`) as liquidjs reads `{{ a.b.0.c }}` with
 * ownPropertyOnly (its Context.readProperty): own properties only, and after the first step
 * `size` (an own `size` property first, else the length of an array or text, the number of keys
 * of an object), `first` and `last` (an array's first and last element, else an own property of
 * that name). A number step on an array counts from the end when negative. A null on the way
 * reads as null, as liquidjs gives it (strict mode raises only on undefined); undefined when a
 * step is missing. The first step is a top-level value of the data (an own property).
 */
export function readPath(data: unknown, path: string | ReadonlyArray<string | number>): unknown {
	const keys = typeof path === 'string' ? path.split('.') : path;
	if (data === null || data === undefined || typeof data !== 'object' || keys.length === 0) return undefined;
	let current: unknown = own(data, keys[0]);
	for (let i = 1; i < keys.length; i++) current = readProperty(current, keys[i]);
	return current;
}

const own = (obj: unknown, key: string | number): unknown => (Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined);

/** liquidjs 10 Context.readProperty with ownPropertyOnly, for plain data (no drops, no toLiquid). */
function readProperty(obj: unknown, key: string | number): unknown {
	if (obj === null || obj === undefined) return obj;
	if (Array.isArray(obj) && typeof key === 'number') return own(obj, key < 0 ? obj.length + key : key);
	const value = own(obj, key);
	if (typeof value === 'function') return undefined; // JSON data holds no functions; never call one
	if (key === 'size') {
		if (Object.prototype.hasOwnProperty.call(obj, 'size') || (obj as { size?: unknown }).size !== undefined) return (obj as { size?: unknown }).size;
		if (Array.isArray(obj) || typeof obj === 'string') return obj.length;
		return typeof obj === 'object' ? Object.keys(obj as object).length : undefined;
	}
	if (key === 'first') return Array.isArray(obj) ? own(obj, 0) : value;
	if (key === 'last') return Array.isArray(obj) ? own(obj, obj.length - 1) : value;
	return value;
}

function isEmpty(v: unknown): boolean {
	if (v === undefined || v === null) return true;
	if (typeof v === 'string') return v.trim() === '';
	if (Array.isArray(v)) return v.length === 0;
	if (typeof v === 'object') return Object.keys(v as object).length === 0;
	return false;
}

/**
 * Evaluates one structured rule. Missing data never satisfies a rule (except `notExists` /
 * `isEmpty`), so the fallback renders instead. Values are read as rules/compare.ts says, the one
 * reading Customer Segments' trait conditions use: numbers and decimal numeric text ("5.0" equals
 * "5"; "0x10" is no number), dates as moments (ISO text, a date-time without a zone being UTC; a
 * Date; an epoch number); other date text ("June 1, 2024") is no date, never read in the server's
 * time zone, so a date rule on it does not hold.
 */
export function evaluateRule(rule: StructuredRule, data: unknown, now = Date.now()): boolean {
	const v = readPath(data, rule.field);
	const want = rule.value;
	switch (rule.operator) {
		case 'exists':
			return v !== undefined && v !== null;
		case 'notExists':
			return v === undefined || v === null;
		case 'isEmpty':
			return isEmpty(v);
		case 'isNotEmpty':
			return !isEmpty(v);
		default:
			if (v === undefined || v === null) return false;
	}
	switch (rule.operator) {
		case 'equals':
			return looseEquals(v, want);
		case 'notEquals':
			return !looseEquals(v, want);
		case 'contains':
			return containsValue(v, want);
		case 'notContains':
			return !containsValue(v, want);
		case 'in':
			return Array.isArray(want) && want.some((x) => looseEquals(v, x));
		case 'notIn':
			return Array.isArray(want) && !want.some((x) => looseEquals(v, x));
		case 'gt':
		case 'gte':
		case 'lt':
		case 'lte': {
			// with a date on either side, both are moments; else both numbers; else it does not hold
			const d = compareValues(v, want);
			if (d === undefined) return false;
			if (rule.operator === 'gt') return d > 0;
			if (rule.operator === 'gte') return d >= 0;
			return rule.operator === 'lt' ? d < 0 : d <= 0;
		}
		case 'withinDays': {
			const t = momentOf(v);
			return t !== undefined && now - t <= (numberOf(want) ?? NaN) * 86400000 && t <= now + 60000;
		}
		case 'olderThanDays': {
			const t = momentOf(v);
			return t !== undefined && now - t > (numberOf(want) ?? NaN) * 86400000;
		}
	}
	return false;
}

export function evaluateBlockRules(structured: Map<string, StructuredRule[]>, data: unknown, now = Date.now()): Record<string, boolean> {
	const out: Record<string, boolean> = {};
	for (const [name, rules] of structured) out[name] = rules.every((r) => evaluateRule(r, data, now));
	return out;
}
