/** Render engine: Liquid + MJML content blocks, compiled once, rendered per recipient; lint. */
export * from './types';
export { compileTemplate, renderCompiled, clearCompileCache, compileCacheSize, templateKey, withDefaults, RenderFailure, CACHE_SIZE } from './compile';
export type { CompiledTemplate, RenderOptions } from './compile';
export { lintTemplate } from './lint';
export type { LintReport } from './lint';
export { htmlToText } from './text';
export { loadMjml, mjmlLoaded } from './mjml';
export { evaluateRule, readPath } from './blocks';
export { GMAIL_CLIP_BYTES } from './checks';
