'use strict';
// Extension test entry (extensionTestsPath). VS Code's extension host calls run();
// a rejected promise means "tests failed" and becomes a non-zero exit code.
//
// Mocha's reporter output only reaches the workbench's browser console when
// running under code-server, so the results are also written as JSON to the
// file named by TEAMS_BOT_DEV_TEST_RESULTS (set by test/vscode-host/runTests).
const fs = require('node:fs');
const path = require('node:path');

/** mocha 12 is ESM; require(esm) gives its namespace (Node >= 20.19 / 22.12). */
function loadMocha() {
  const m = require('mocha');
  return m.Mocha ?? m.default ?? m;
}

/** Recursive `*.test.js` finder; fs.globSync where available (Node 22+), else a walk. */
function findTests(dir, pattern) {
  if (typeof fs.globSync === 'function') {
    return fs.globSync(pattern, { cwd: dir }).map((f) => path.resolve(dir, f)).sort();
  }
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function errorText(err) {
  if (!err) return null;
  return String((err && (err.stack || err.message)) || err);
}

/** @returns {Promise<void>} */
function run() {
  const Mocha = loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.TEAMS_BOT_DEV_TEST_TIMEOUT_MS || 20000),
    grep: process.env.TEAMS_BOT_DEV_TEST_GREP || undefined,
  });
  const files = findTests(__dirname, '**/*.test.js');
  for (const f of files) mocha.addFile(f);

  const resultsFile = process.env.TEAMS_BOT_DEV_TEST_RESULTS;
  /** @type {{title: string, state: string, error: string | null, durationMs?: number}[]} */
  const tests = [];

  return new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run((failures) => {
        const summary = {
          passes: tests.filter((t) => t.state === 'passed').length,
          failures,
          pending: tests.filter((t) => t.state === 'pending').length,
          files: files.map((f) => path.relative(__dirname, f)),
          node: process.versions.node,
          tests,
        };
        if (resultsFile) {
          fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
          fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2) + '\n');
        }
        console.log(`${summary.passes} passed, ${failures} failed`);
        if (files.length === 0) reject(new Error('no test files found'));
        else if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err);
      return;
    }
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', error: null, durationMs: t.duration }));
    runner.on('fail', (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', error: errorText(err) }));
    runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending', error: null }));
  });
}

module.exports = { run };
