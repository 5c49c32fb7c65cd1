// Writes schema/teams-bot.config.editor.schema.json, the schema VS Code's JSON
// language server gets (package.json jsonValidation) for IntelliSense and hovers,
// from the one true schema, schema/teams-bot.config.schema.json.
//
// The difference: no "additionalProperties": false. The extension reports an
// unknown key itself, as an Error with a "Did you mean …?" quick fix; the JSON
// language server would add a second diagnostic for the same key ("Property …
// is not allowed"), and only ever as a warning. Maps (teams, accessGroups)
// keep their additionalProperties schemas, so their values still complete.
// test/core/editorSchema.test.ts keeps the file in step.
// Usage: node --import tsx scripts/editorSchema.ts [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SCHEMA_DIR = path.join(__dirname, '..', 'schema');
export const CANONICAL_SCHEMA = path.join(SCHEMA_DIR, 'teams-bot.config.schema.json');
export const EDITOR_SCHEMA = path.join(SCHEMA_DIR, 'teams-bot.config.editor.schema.json');

export function editorSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(editorSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = editorSchema(value);
  }
  return out;
}

export function editorSchemaText(): string {
  const canonical = JSON.parse(readFileSync(CANONICAL_SCHEMA, 'utf8')) as Record<string, unknown>;
  const derived = editorSchema(canonical) as Record<string, unknown>;
  const { $schema, $id, ...rest } = derived;
  // Its own id: two schemas claiming one $id would be one schema to the JSON language server.
  const id = typeof $id === 'string' ? $id.replace(/teams-bot\.config\.schema\.json$/, 'teams-bot.config.editor.schema.json') : undefined;
  const note = 'Generated from teams-bot.config.schema.json by scripts/editorSchema.ts, for the editor only: unknown keys are reported by the extension (an Error with a quick fix), not by this schema.';
  return `${JSON.stringify({ $schema, $id: id, $comment: note, ...rest }, null, 2)}\n`;
}

if (require.main === module) {
  if (process.argv.includes('--write')) writeFileSync(EDITOR_SCHEMA, editorSchemaText());
  else process.stdout.write(editorSchemaText());
}
