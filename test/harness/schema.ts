import Ajv2020 from 'ajv/dist/2020';
import schema from '../../nodes/engines/types/canonical-event.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

/** Returns the JSON Schema errors of a canonical event, or [] when it is valid. */
export function canonicalEventErrors(event: unknown): string[] {
	if (validate(event)) return [];
	return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
