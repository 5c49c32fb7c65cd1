// Bundles the extension, the CLI and the lazily loaded gateway runtime into dist/.
// The extension bundle must stay small (activation time): Express, the Teams
// SDK and @azure/identity live only in dist/gateway.js, which the extension
// requires when the webhook starts.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync, readdirSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's UMD main hides its requires from the bundler; its ESM build does not.
  mainFields: ['module', 'main'],
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Optional native add-ons some dependencies probe for; never needed here.
  external: ['vscode', 'bufferutil', 'utf-8-validate', 'keytar', '@azure/msal-node-extensions'],
};

const builds = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/core/runtime/gatewayRuntime.ts'], outfile: 'dist/gateway.js' },
  { entryPoints: ['src/core/runtime/configRuntime.ts'], outfile: 'dist/config.js' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, './gateway.js', './config.js'], metafile: true },
  // The Chat panel: its host side (required when it opens) and its page, a browser script with the
  // card renderer and markdown, which never enter the extension host's bundles.
  { entryPoints: ['src/extension/chat/chatPanel.ts'], outfile: 'dist/chat.js' },
  { entryPoints: ['src/webview/chat/main.ts'], outfile: 'dist/webview/chat.js', platform: 'browser', format: 'iife', target: 'es2022', mainFields: ['browser', 'module', 'main'] },
  { entryPoints: ['src/webview/chat/chat.css'], outfile: 'dist/webview/chat.css' },
].filter((b) => existsSync(b.entryPoints[0]));

// The in-host integration suite: one bundle per test file, loaded by mocha inside VS Code.
if (process.argv.includes('--tests')) {
  const dir = 'test/extension/suite';
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'helpers.ts')) {
    builds.push({ entryPoints: [`${dir}/${f}`], outfile: `out/test/extension/${f.replace(/\.ts$/, '.js')}`, external: [...common.external, 'mocha'], sourcemap: 'inline' });
  }
  // The F5 suite (a second mocha run with its own workspace, stand-in CLIs and a real echo bot).
  const f5 = 'test/extension/f5';
  for (const f of existsSync(f5) ? readdirSync(f5).filter((n) => n.endsWith('.ts') && n !== 'helpers.ts') : []) {
    builds.push({ entryPoints: [`${f5}/${f}`], outfile: `out/test/f5/${f.replace(/\.ts$/, '.js')}`, external: [...common.external, 'mocha'], sourcemap: 'inline' });
  }
}

// A one-off build writes each output to a temporary file and renames it into place, so a
// process starting `node dist/cli.js` while another build runs (the CLI and end-to-end tests
// build once per run: test/support/cli.ts) reads the old file or the new one, never half of one.
const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b, external: b.external ?? common.external, write: watch })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  for (const c of contexts) {
    const { outputFiles, metafile } = await c.rebuild();
    await c.dispose();
    if (metafile) checkLight(metafile);
    for (const f of outputFiles ?? []) {
      mkdirSync(path.dirname(f.path), { recursive: true });
      const tmp = `${f.path}.${process.pid}.tmp`;
      writeFileSync(tmp, f.contents, { mode: f.path.endsWith(`${path.sep}dist${path.sep}cli.js`) ? 0o755 : 0o644 });
      renameSync(tmp, f.path);
    }
  }
}

/**
 * The extension bundle is loaded at activation: a static import that drags in one of
 * the heavy packages (say, a command importing core code that reaches @azure/identity)
 * fails the build here instead of silently quadrupling activation cost. Reach them
 * through src/extension/lazyModules.ts.
 */
function checkLight(metafile) {
  const heavy = ['express', 'ajv', '@azure/identity', '@azure/msal-node', '@microsoft/teams.apps', '@microsoft/teams.api', 'adaptivecards', 'markdown-it'];
  const found = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && heavy.includes(m[1])) found.add(m[1]);
  }
  if (found.size) {
    throw new Error(`dist/extension.js would bundle ${[...found].join(', ')}: load that code through src/extension/lazyModules.ts (dist/gateway.js, dist/config.js or dist/chat.js) so activation does not pay for it.`);
  }
}
