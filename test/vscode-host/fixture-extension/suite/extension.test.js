'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');

describe('vscode-host fixture extension', () => {
  it('runs the contributed command in a real extension host', async () => {
    // TEAMS_BOT_DEV_FIXTURE_FAIL=1 makes this call a command nobody contributes,
    // so the harness's failure path (non-zero exit) can be checked on purpose.
    const command = process.env.TEAMS_BOT_DEV_FIXTURE_FAIL === '1' ? 'vscodeHostFixture.missing' : 'vscodeHostFixture.hello';
    const result = await vscode.commands.executeCommand(command, 'harness');
    assert.deepEqual(
      { greeting: result && result.greeting },
      { greeting: 'hello harness' },
      `command ${command} returned ${JSON.stringify(result)}`,
    );
    assert.equal(typeof result.node, 'string');

    const ext = vscode.extensions.getExtension('teams-bot-dev-test.vscode-host-fixture');
    assert.ok(ext, 'fixture extension is loaded in the extension host');
    assert.equal(ext.isActive, true, 'activated by onCommand');
  });
});
