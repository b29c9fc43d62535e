/**
 * `default`, as Shopify/liquidjs define it (falsy, nil, "" or [] → the default; `allow_false: true`
 * keeps false), and also treating whitespace-only strings and empty objects as missing: a first
 * name of " " must not greet "Hi  ,". In strict mode `default` still rescues a missing variable
 * (liquidjs `lenientIf`).
 */
function isBlank(value: unknown, allowFalse: boolean): boolean {
	if (value === undefined || value === null) return true;
	if (value === false) return !allowFalse;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value as object).length === 0;
	return false;
}

export const defaultFilters = {
	default(value: unknown, fallback?: unknown, ...args: unknown[]): unknown {
		let allowFalse = false;
		for (const arg of args) {
			if (Array.isArray(arg) && arg[0] === 'allow_false') allowFalse = Boolean(arg[1]);
		}
		return isBlank(value, allowFalse) ? fallback : value;
	},
};
