import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** The repository root (two levels above test/normalize/support). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the shared IPTC ninjs 3.1 schema lives (beside the repository, in ../shared). */
export const ninjsSchemaPath = fileURLToPath(new URL('../shared/schemas/ninjs-schema_3.1.json', `file://${repoRoot}`));

let validator: ValidateFunction | null = null;

/**
 * A validator for IPTC ninjs 3.1 (draft 2020-12), compiled once. `places[].geoJSON` refers to the external
 * GeoJSON schema; wirefeed never writes it, so a permissive stand-in is registered for that reference.
 */
export function ninjsValidator(): ValidateFunction {
  if (validator) return validator;
  if (!existsSync(ninjsSchemaPath)) {
    throw new Error(`The ninjs 3.1 schema is missing at ${ninjsSchemaPath}: the tests read it from ../shared beside the repository.`);
  }
  const schema = JSON.parse(readFileSync(ninjsSchemaPath, 'utf8')) as object;
  // ajv and ajv-formats are CommonJS: under NodeNext their default import is `module.exports`, whose `default` is the export.
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
  const compiled = ajv.compile(schema);
  validator = compiled;
  return compiled;
}

/** The schema errors of a value, one line each ('' when valid). */
export function ninjsErrors(value: unknown): string {
  const validate = ninjsValidator();
  if (validate(value)) return '';
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
