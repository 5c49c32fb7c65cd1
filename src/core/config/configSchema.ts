import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../../schema/teams-bot.config.schema.json';

export { schema as configSchema };

let compiled: ValidateFunction | undefined;

/**
 * The compiled validator. Compiled once, on first use, because compiling
 * costs milliseconds that activation must not pay. useDefaults fills every
 * default from the schema, so the schema stays the only place defaults live.
 */
export function configValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    addFormats(ajv, ['uri']);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export type SchemaError = ErrorObject;
