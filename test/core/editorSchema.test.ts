import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { CANONICAL_SCHEMA, EDITOR_SCHEMA, editorSchemaText } from '../../scripts/editorSchema';

describe('the editor schema (jsonValidation) follows the real one', () => {
  it('schema/teams-bot.config.editor.schema.json is what scripts/editorSchema.ts makes of the real schema (run it with --write after a schema change)', () => {
    assert.equal(readFileSync(EDITOR_SCHEMA, 'utf8'), editorSchemaText());
  });

  it('it has no additionalProperties: false (the extension reports unknown keys once, as Errors), while the real schema keeps them', () => {
    assert.doesNotMatch(readFileSync(EDITOR_SCHEMA, 'utf8'), /"additionalProperties": false/);
    assert.match(readFileSync(CANONICAL_SCHEMA, 'utf8'), /"additionalProperties": false/);
  });

  it('package.json points VS Code\'s JSON language server at it', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', `file://${__filename}`), 'utf8')) as { contributes: { jsonValidation: { fileMatch: string | string[]; url: string }[] } };
    const ours = pkg.contributes.jsonValidation.filter((v) => [v.fileMatch].flat().includes('teams-bot.config.json'));
    assert.deepEqual(ours, [{ fileMatch: 'teams-bot.config.json', url: './schema/teams-bot.config.editor.schema.json' }]);
  });
});
