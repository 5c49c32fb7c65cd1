// Bundles the extension, the CLI and the lazily loaded gateway runtime into dist/.
// The extension bundle must stay small (activation time): Express, the Teams
// SDK and @azure/identity live only in dist/gateway.js, which the extension
// requires when the webhook starts.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync, readdirSync, chmodSync } from 'node:fs';

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
  { entryPoints: ['src/core/gateway/runtime.ts'], outfile: 'dist/gateway.js' },
  { entryPoints: ['src/core/config/runtime.ts'], outfile: 'dist/config.js' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, './gateway.js', './config.js'], metafile: true },
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

const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b, external: b.external ?? common.external })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  for (const c of contexts) {
    await c.rebuild();
    await c.dispose();
  }
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
