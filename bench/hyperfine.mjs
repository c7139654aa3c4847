// Millisecond-scale commands timed side by side: hyperfine when it is installed (exec without a shell, so
// no shell start-up is counted), else an interleaved loop of our own. Both give every run's wall time in ms.
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const quote = (a) => `'${a.replaceAll("'", `'\\''`)}'`; // hyperfine -N splits POSIX-style
const line = (argv) => argv.map(quote).join(' ');
let exports = 0;

export function hyperfineVersion() {
  const r = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Times commands side by side. A command is `{ name, argv, prepare? }`; `prepare` (an argv) runs untimed before
 * every run of that command. With hyperfine, which runs one command's runs back to back, the runs are split into
 * `rounds` invocations with the order reversed every other round, so drift on a shared machine hits every command
 * alike; each invocation first runs every command `warmup` times untimed. Every command must exit 0.
 * Returns `[{ name, times, cpu? }]` in ms, in the order given; `cpu` is hyperfine's mean user + system time per run.
 */
export async function timeSideBySide(commands, { runs, warmup, rounds = 1, cwd, env, tmp, useHyperfine = true }) {
  if (!useHyperfine || !hyperfineVersion()) return viaLoop(commands, { runs, warmup, cwd, env });
  const acc = new Map(commands.map((c) => [c.name, { times: [], cpu: [] }]));
  const per = Math.max(2, Math.ceil(runs / rounds));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...commands].reverse() : commands;
    for (const res of await viaHyperfine(order, { runs: per, warmup, cwd, env, tmp })) {
      acc.get(res.name).times.push(...res.times);
      acc.get(res.name).cpu.push(res.cpu);
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return commands.map((c) => ({ name: c.name, times: acc.get(c.name).times, cpu: mean(acc.get(c.name).cpu) }));
}

async function viaHyperfine(commands, { runs, warmup, cwd, env, tmp }) {
  const json = path.join(tmp, `hyperfine-${process.pid}-${++exports}.json`);
  const args = [
    '--shell=none',
    '--warmup',
    String(warmup),
    '--runs',
    String(runs),
    '--style',
    'none',
    '--export-json',
    json,
  ];
  // --prepare is given once per command or not at all.
  if (commands.some((c) => c.prepare)) for (const c of commands) args.push('--prepare', line(c.prepare ?? ['true']));
  for (const c of commands) args.push('--command-name', c.name, line(c.argv));
  await new Promise((resolve, reject) => {
    const child = spawn('hyperfine', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`hyperfine exited ${code}: ${stderr.trim()}`)),
    );
  });
  const { results } = JSON.parse(await readFile(json, 'utf8'));
  return results.map((r, i) => ({
    name: commands[i].name,
    times: r.times.map((s) => s * 1000),
    cpu: (r.user + r.system) * 1000,
  }));
}

// Round-robin, so drift on a shared machine hits every command alike.
function viaLoop(commands, { runs, warmup, cwd, env }) {
  const once = (argv) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd, env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.error ?? `exit ${r.status}`}`);
    return ms;
  };
  const out = commands.map((c) => ({ name: c.name, times: [] }));
  for (let i = 0; i < warmup + runs; i++) {
    commands.forEach((c, j) => {
      if (c.prepare) once(c.prepare);
      const ms = once(c.argv);
      if (i >= warmup) out[j].times.push(ms);
    });
  }
  return Promise.resolve(out);
}

export function stats(times) {
  const n = times.length;
  const mean = times.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const s = [...times].sort((a, b) => a - b);
  const median = n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, mean, sd, median, min: s[0] };
}
