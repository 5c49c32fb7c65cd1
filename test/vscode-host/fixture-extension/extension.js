'use strict';
const vscode = require('vscode');

/** @param {import('vscode').ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('vscodeHostFixture.hello', (/** @type {string | undefined} */ name) => {
      return {
        greeting: `hello ${name ?? 'world'}`,
        // Proves where the extension host runs: code-server's Node (server side) or Electron.
        node: process.versions.node,
        pid: process.pid,
      };
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
