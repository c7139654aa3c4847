// `npm run bench`: runs each benchmark section and prints one markdown report (progress goes to stderr).
// A section is a module exporting `title` and `async run(ctx) -> markdown`; add one line below per section. A section
// reports each of issue 10's goals it measures with ctx.row(what, ratio, goal): the summary table at the top.
// Env: BENCH_RUNS (timed runs per variant, default 5), BENCH_SECTIONS (comma list of names to run).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './measure.mjs';

const sections = [
  ['startup', () => import('./startup.mjs')],
  ['shellstart', () => import('./shellstart.mjs')],
  ['install', () => import('./install.mjs')],
  ['shim', () => import('./shim.mjs')],
  ['hook', () => import('./hook.mjs')],
];

async function machine() {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return [
    `- CPU: ${model}, ${os.availableParallelism()} cores`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${process.arch})`,
    `- Node: ${process.version}`,
    `- Environment: ${CLEANED.join(' and ')} unset for every command measured`,
  ].join('\n');
}

// Measured as the issue does, in a clean environment: NODE_EXTRA_CA_CERTS makes every Node start read and parse a
// CA bundle (~70 ms here), which would inflate `node -e 0` and flatter every ratio against it.
const CLEANED = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];

async function main() {
  for (const name of CLEANED) delete process.env[name];
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`BENCH_RUNS must be a positive integer, not ${process.env.BENCH_RUNS}`);
  const wanted = process.env.BENCH_SECTIONS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted?.filter((w) => !sections.some(([name]) => name === w)) ?? [];
  if (unknown.length)
    throw new Error(`unknown BENCH_SECTIONS: ${unknown.join(', ')} (have: ${sections.map(([n]) => n).join(', ')})`);

  const root = fileURLToPath(new URL('..', import.meta.url));
  const log = (msg) => process.stderr.write(`${msg}\n`);
  const out = [];
  const rows = [];
  const row = (what, ratio, goal) =>
    rows.push([what, `${ratio.toFixed(2)}x`, `≤ ${goal}x`, ratio <= goal ? 'met' : 'NOT met']);
  for (const [name, load] of sections) {
    if (wanted && !wanted.includes(name)) continue;
    const section = await load();
    log(`== ${name}: ${section.title}`);
    const tmp = await mkdtemp(path.join(os.tmpdir(), `goarm-bench-${name}-`));
    try {
      out.push('', `## ${section.title}`, '', await section.run({ root, runs, tmp, log, row }));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const summary = ['', '## Summary: the goals of issue 10, as ratios measured side by side in this run', ''];
  summary.push(table(['what', 'ratio', 'goal', ''], rows));
  process.stdout.write(`${['# goarm benchmarks', '', await machine(), ...summary, ...out].join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack || e}\n`);
  process.exitCode = 1;
});
