/**
 * The layering the developers' guide asks for, checked over the real import
 * graph of src/core: core never imports vscode, the extension or the CLI, and
 * no two folders of core import each other, directly or round a longer loop
 * (a cycle between folders means neither can be understood, or bundled, alone).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';

const CORE = path.resolve(__dirname, '../../src/core');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier a file names: import/export … from, import(), require(), including type-only ones. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]);
  return found;
}

/** The folder of core a file belongs to: its first path segment under src/core, or "(root)" for src/core/*.ts. */
function folderOf(file: string): string {
  const rel = path.relative(CORE, file).split(path.sep);
  return rel.length === 1 ? '(root)' : rel[0];
}

/** The folder → folders graph of src/core (edges to the same folder left out). */
export function folderGraph(files: { file: string; source: string }[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { file, source } of files) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const spec of specifiers(source)) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(CORE + path.sep)) continue;
      const to = folderOf(target.endsWith('.ts') || target.endsWith('.json') ? target : `${target}.ts`);
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Each cycle found, as its folders in order, the first repeated at the end. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('architecture: src/core stands alone and its folders form no cycle', () => {
  const files = tsFiles(CORE).map((file) => ({ file, source: fs.readFileSync(file, 'utf8') }));

  it('core never imports vscode, src/extension or src/cli', () => {
    const offences: string[] = [];
    for (const { file, source } of files) {
      for (const spec of specifiers(source)) {
        const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
        if (spec === 'vscode' || target.startsWith(path.resolve(CORE, '../extension')) || target.startsWith(path.resolve(CORE, '../cli'))) {
          offences.push(`${path.relative(CORE, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offences, []);
  });

  it('no import cycle between folders of src/core', () => {
    const found = cycles(folderGraph(files)).map((c) => c.join(' → '));
    assert.deepEqual(found, []);
  });

  it('the checker itself sees a cycle and a vscode import when there is one', () => {
    const fake = [
      { file: path.join(CORE, 'a/x.ts'), source: "import type { Y } from '../b/y';\nexport const x = 1;" },
      { file: path.join(CORE, 'b/y.ts'), source: "export { x } from '../a/x';" },
      { file: path.join(CORE, 'c/z.ts'), source: "const m = require('../a/x');" },
    ];
    assert.deepEqual(cycles(folderGraph(fake)).map((c) => c.join(' → ')), ['a → b → a']);
    assert.deepEqual(specifiers("import * as vscode from 'vscode';\nimport('./lazy');"), ['vscode', './lazy']);
  });
});

describe('architecture: the webview page (src/webview) is browser code', () => {
  const WEBVIEW = path.resolve(CORE, '../webview');
  const files = fs.existsSync(WEBVIEW) ? tsFiles(WEBVIEW).map((file) => ({ file, source: fs.readFileSync(file, 'utf8') })) : [];

  /** What a page file may not import: vscode, Node's modules, or code (not types) from outside src/webview. */
  function webviewOffences(file: string, source: string): string[] {
    const offences: string[] = [];
    const typeOnly = new Set([...source.matchAll(/\b(?:import|export)\s+type\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g)].map((m) => m[1]));
    for (const spec of specifiers(source)) {
      const builtin = spec.startsWith('node:') || builtinModules.includes(spec);
      const outside = spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(WEBVIEW + path.sep);
      if (spec === 'vscode' || builtin || (outside && !typeOnly.has(spec))) offences.push(`${path.relative(WEBVIEW, file)} imports ${spec}`);
    }
    return offences;
  }

  it('imports neither vscode, nor Node modules, nor code from core or the extension (types only)', () => {
    assert.ok(files.length > 0, 'no webview sources found');
    assert.deepEqual(files.flatMap(({ file, source }) => webviewOffences(file, source)), []);
  });

  it('the checker itself sees each kind of offence', () => {
    const file = path.join(WEBVIEW, 'chat/x.ts');
    const source = "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nimport * as os from 'os';\nimport { simulatedBot } from '../../core/chat/chatActivities';\nimport type { ChatUser } from '../../core/chat/chatTypes';\nimport { y } from './y';\nimport MarkdownIt from 'markdown-it';";
    assert.deepEqual(webviewOffences(file, source), ['chat/x.ts imports vscode', 'chat/x.ts imports node:fs', 'chat/x.ts imports os', 'chat/x.ts imports ../../core/chat/chatActivities']);
  });
});
