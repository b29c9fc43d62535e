/**
 * Parameters whose default differs by node version (Render Email and ESP Dispatch 1 and 1.1):
 * version 1 keeps its default, so saved workflows read what they always read (n8n stores only
 * parameters that differ from their default); 1.1 and later get the new one.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

export type NodeVersion = 1 | 1.1;

/** `show` conditions plus the node versions a parameter definition is for. */
export function showForVersion(version: NodeVersion, show: NonNullable<IDisplayOptions['show']> = {}): IDisplayOptions {
	return { show: { ...show, '@version': version === 1 ? [1] : [{ _cnd: { gte: 1.1 } }] } };
}

/** One parameter as two definitions, version 1's default and 1.1's, shown for their versions only. */
export function perVersion(property: INodeProperties, defaults: Record<NodeVersion, INodeProperties['default']>): INodeProperties[] {
	const show = property.displayOptions?.show ?? {};
	return ([1, 1.1] as const).map((version) => ({ ...property, default: defaults[version], displayOptions: showForVersion(version, show) }));
}
