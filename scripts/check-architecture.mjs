// Lint rules no off-the-shelf tool here checks: imports run one way (commands → features → core), no command
// imports another command, no import cycles (static or dynamic), and no line over 120 columns.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const MAX = 120;
const walk = (d) => readdirSync(d).flatMap((e) => {
  const p = join(d, e);
  return statSync(p).isDirectory() ? (e === 'node_modules' ? [] : walk(p)) : [p];
});
const problems = [];

// Layers: a module may import its own layer or a lower one. commands/common.ts is the commands' shared helper.
const FEATURES = ['install', 'select', 'shell', 'doctor', 'cgo', 'lifecycle'];
function layer(rel) {
  if (rel.startsWith('core/')) return 0;
  if (FEATURES.some((f) => rel.startsWith(`${f}/`))) return 1;
  if (rel.startsWith('commands/')) return 2;
  return 3; // the entries: cli.ts, shim-entry.ts, and boot.ts (which runs their bundles)
}
const src = join(ROOT, 'src');
const graph = new Map();
for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
  const rel = relative(src, file);
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)\.js'/g)) {
    const dep = relative(src, resolve(dirname(file), m[1])) + '.ts';
    deps.push(dep);
    const [a, b] = [layer(rel), layer(dep)];
    if (b > a) problems.push(`src/${rel}: imports src/${dep}, a higher layer (commands → features → core)`);
    if (a === 2 && b === 2 && dep !== 'commands/common.ts')
      problems.push(`src/${rel}: imports another command (src/${dep}); move the shared code to a feature module`);
  }
  graph.set(rel, deps);
}

// Cycles: a depth-first search reporting each back edge's cycle once.
const state = new Map();
const stack = [];
function visit(n) {
  state.set(n, 1);
  stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (state.get(d) === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' → ')}`);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(n, 2);
}
for (const n of graph.keys()) if (!state.has(n)) visit(n);

for (const dir of ['src', 'test', 'bench', 'bin', 'scripts']) {
  for (const file of walk(join(ROOT, dir)).filter((f) => /\.(ts|mjs|cjs|js)$|\/goarm$/.test(f))) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (line.length > MAX) problems.push(`${relative(ROOT, file)}:${i + 1}: ${line.length} columns (max ${MAX})`);
    });
  }
}

for (const p of problems) console.error(p);
console.log(`architecture: ${graph.size} modules, ${problems.length} problem(s)`);
process.exitCode = problems.length ? 1 : 0;
