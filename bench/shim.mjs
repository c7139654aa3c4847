// Shim overhead: what a `go` call costs through $GOARM_HOME/shims/go compared with running the Go root's
// bin/go directly. Warm cache (the shim sources its resolve cache and execs: no Node) and cache miss (the shim
// runs `node shim-entry.js shim-resolve` first). `go version` itself takes milliseconds, so the same shim is also
// timed in front of a stand-in root whose bin/go is a copy of /bin/true: that isolates the shim's own cost.
import { spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { access, chmod, copyFile, mkdir, realpath, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hyperfineVersion, stats, timeSideBySide } from './hyperfine.mjs';
import { table, timeCommand } from './measure.mjs';
import { startMirror } from './mirror.mjs';
import { realGoTarball } from './realgo.mjs';

export const title = 'Shim overhead: go version through the shim vs direct';

const RUNS = Number(process.env.BENCH_SHIM_RUNS ?? 200); // timed runs per command, warm cache
const MISS_RUNS = 2 * Math.max(5, Math.round(RUNS / 16)); // each costs a Node start; even: 2 rounds
const ROUNDS = 10; // hyperfine invocations per group, alternating the command order
const WARMUP = 5; // per command and invocation
const PROBE_CALLS = 40;
const TARGET_MS = 1.0;

const cacheFile = (home, dir) => path.join(`${home}/cache/resolve${dir}`, '.goarm-shim-cache');

/**
 * Runs fn and counts the resolve-cache rewrites for `dir` in each of `homes` meanwhile: every rewrite goes through
 * a temp file named after the writing process, so distinct temp names are cache misses.
 */
async function countMisses(homes, dir, fn) {
  const seen = new Set();
  const watchers = homes.map((h) =>
    watch(path.dirname(cacheFile(h, dir)), (_, name) => {
      if (name?.endsWith('.tmp')) seen.add(`${h}\0${name}`);
    }),
  );
  try {
    const result = await fn();
    await sleep(200); // let the last inotify events arrive
    return { result, misses: seen.size };
  } finally {
    for (const w of watchers) w.close();
  }
}

/** A Go home whose only version is `version` with bin/go a copy of /bin/true (a real ELF that does nothing). */
async function standIn(dir, version, goarm) {
  const bin = path.join(dir, 'versions', version, 'bin', 'go');
  await mkdir(path.dirname(bin), { recursive: true });
  await copyFile('/bin/true', bin);
  await chmod(bin, 0o755);
  await writeFile(path.join(dir, 'versions', version, 'VERSION'), `go${version}\n`);
  await goarm(dir, ['shims']);
  return bin;
}

export async function run(ctx) {
  for (const f of ['dist/cli.js', 'dist/shim-entry.js'])
    await access(path.join(ctx.root, f)).catch(() => {
      throw new Error(`${f} is missing: run \`npm run build\` first`);
    });
  const goarm = (home, args) =>
    timeCommand(process.execPath, [path.join(ctx.root, 'dist/cli.js'), ...args], {
      env: { ...process.env, GOARM_HOME: home, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
      cwd: ctx.root,
    });
  const tmp = await realpath(ctx.tmp);

  const go = await realGoTarball();
  const home = path.join(tmp, 'home');
  await mkdir(home);
  const { server, writeConfig } = await startMirror(go, tmp);
  try {
    await writeConfig(home);
    ctx.log(`  installing go${go.version} into ${home}`);
    await goarm(home, ['install', go.version, '--quiet']);
  } finally {
    await server.close();
  }
  const fake = path.join(tmp, 'fake');
  const fakeGo = await standIn(fake, go.version, goarm);

  const project = path.join(tmp, 'project');
  await mkdir(project);
  await writeFile(path.join(project, '.goarm.toml'), `go = "${go.version}"\n`);
  const env = { PWD: project };
  for (const [k, v] of Object.entries(process.env)) if (!/^(GO|CGO_)/.test(k) && k !== 'PWD') env[k] = v;
  const realGo = path.join(home, 'versions', go.version, 'bin', 'go');
  const [goShim, fakeShim] = [path.join(home, 'shims', 'go'), path.join(fake, 'shims', 'go')];

  // The first call through each shim resolves and must print what the real go prints. A cache written within
  // a second of its inputs changing is dated before them (see writeCache) and re-resolves once: settle that first.
  const direct = spawnSync(realGo, ['version'], { cwd: project, env, encoding: 'utf8' });
  for (const [shim, want] of [
    [goShim, direct.stdout],
    [fakeShim, ''],
    [goShim, direct.stdout],
    [fakeShim, ''],
  ]) {
    const r = spawnSync(shim, ['version'], { cwd: project, env, encoding: 'utf8' });
    if (r.status !== 0 || r.stdout !== want)
      throw new Error(`${shim}: exit ${r.status}, ${JSON.stringify(r.stdout)} ${r.stderr}`);
    await sleep(600);
  }

  const hf = process.env.BENCH_NO_HYPERFINE ? undefined : hyperfineVersion(); // BENCH_NO_HYPERFINE=1: own loop
  const opts = { cwd: project, env, tmp, rounds: ROUNDS, warmup: WARMUP, useHyperfine: Boolean(hf) };
  const load = [os.loadavg()[0]];
  ctx.log(`  warm cache: ${RUNS} runs per command (${hf ?? 'own loop'})`);
  const { result: warm, misses: warmMisses } = await countMisses([home, fake], project, () =>
    timeSideBySide(
      [
        { name: 'go version, direct', argv: [realGo, 'version'] },
        { name: 'go version, shim (warm cache)', argv: [goShim, 'version'] },
        { name: '/bin/true as go, direct', argv: [fakeGo] },
        { name: '/bin/true as go, shim (warm cache)', argv: [fakeShim] },
        { name: "floor: sh -c 'exec /bin/true-as-go'", argv: ['/bin/sh', '-c', `exec '${fakeGo}'`] },
      ],
      { ...opts, runs: RUNS },
    ),
  );
  load.push(os.loadavg()[0]);
  ctx.log(`  cache miss: ${MISS_RUNS} runs per command`);
  const miss = await timeSideBySide(
    [
      {
        name: 'go version, shim (cache miss)',
        argv: [goShim, 'version'],
        prepare: ['rm', '-f', cacheFile(home, project)],
      },
      { name: '/bin/true as go, shim (cache miss)', argv: [fakeShim], prepare: ['rm', '-f', cacheFile(fake, project)] },
    ],
    { ...opts, runs: MISS_RUNS, rounds: 2, warmup: 2 },
  );
  load.push(os.loadavg()[0]);

  // How often a go.mod-only project goes stale by itself: without a .goarm.toml the resolver searches every
  // ancestor up to /, and each searched directory's mtime is a staleness test.
  ctx.log(`  staleness probe: ${PROBE_CALLS} calls, 250 ms apart`);
  const modOnly = path.join(tmp, 'modonly');
  await mkdir(modOnly);
  await writeFile(
    path.join(modOnly, 'go.mod'),
    `module example.com/m\n\ngo ${go.version.split('.').slice(0, 2).join('.')}\n`,
  );
  const probeEnv = { ...env, PWD: modOnly };
  await timeCommand(fakeShim, [], { cwd: modOnly, env: probeEnv });
  await sleep(1100);
  await timeCommand(fakeShim, [], { cwd: modOnly, env: probeEnv });
  const { misses: probeMisses } = await countMisses([fake], modOnly, async () => {
    for (let i = 0; i < PROBE_CALLS; i++) {
      await timeCommand(fakeShim, [], { cwd: modOnly, env: probeEnv });
      await sleep(250);
    }
  });

  const s = Object.fromEntries([...warm, ...miss].map((r) => [r.name, { ...stats(r.times), cpu: r.cpu }]));
  const ms = (x) => x.toFixed(2);
  const signed = (x) => `${x < 0 ? '−' : '+'}${ms(Math.abs(x))}`;
  const row = (name) => [
    `\`${name}\``,
    `${ms(s[name].mean)} ± ${ms(s[name].sd)}`,
    ms(s[name].median),
    ms(s[name].min),
    s[name].cpu === undefined ? 'n/a' : ms(s[name].cpu),
  ];
  const delta = (a, b) => ({
    mean: s[b].mean - s[a].mean,
    median: s[b].median - s[a].median,
    se: Math.sqrt(s[a].sd ** 2 / s[a].n + s[b].sd ** 2 / s[b].n),
  });
  const goShimName = 'go version, shim (warm cache)';
  const goD = delta('go version, direct', goShimName);
  const trueD = delta('/bin/true as go, direct', '/bin/true as go, shim (warm cache)');
  const floorD = delta('/bin/true as go, direct', "floor: sh -c 'exec /bin/true-as-go'");
  const missD = delta('/bin/true as go, shim (warm cache)', '/bin/true as go, shim (cache miss)');
  ctx.row(
    'shim on a warm cache vs a one-line `#!/bin/sh exec` shim: overhead over running the binary directly',
    trueD.median / floorD.median,
    1.25,
  );
  const fmt = (d) => `**${signed(d.median)} ms** median, ${signed(d.mean)} ± ${ms(d.se)} ms mean (± standard error)`;
  const verdict = (d) => `target ≤ ${TARGET_MS} ms: ${d.median <= TARGET_MS ? 'met' : 'NOT met'}`;
  return [
    `go${go.version} installed by goarm from a signed local mirror, ` +
      'and a stand-in root (same version) whose bin/go is a',
    `copy of /bin/true; project directory with \`.goarm.toml\` \`go = "${go.version}"\`. ` +
      (hf
        ? `Timed with ${hf} (--shell=none) in ${ROUNDS} rounds, command order reversed every other round, ` +
          `${WARMUP} warm-up runs per command and round,`
        : 'Timed with an interleaved loop of spawnSync calls (hyperfine not used), ' +
          `${WARMUP} warm-up runs per command,`),
    `${s['go version, direct'].n} timed runs per command in all ` +
      `(cache miss: ${s['go version, shim (cache miss)'].n}, the cache file deleted before each run).`,
    `Load average (1 min) before / after warm / after miss: ${load.map((l) => l.toFixed(2)).join(' / ')}, on`,
    `${os.availableParallelism()} cores shared with other jobs: absolute times are inflated, compare within the table.`,
    '',
    table(
      ['command', 'mean ± σ ms', 'median ms', 'min ms', 'CPU ms (user+sys)'],
      [...warm, ...miss].map((r) => row(r.name)),
    ),
    '',
    `- Shim overhead, warm cache, \`go version\`: ${fmt(goD)}; ${verdict(goD)}.`,
    `- Shim overhead, warm cache, /bin/true: ${fmt(trueD)}; ${verdict(trueD)}. Starting /bin/sh and exec'ing`,
    `  costs ${signed(floorD.median)} ms of that (median), ` +
      `the shim's own script work ${signed(trueD.median - floorD.median)} ms.`,
    ...(s[goShimName].cpu === undefined
      ? []
      : [
          '- CPU time (user+sys, less sensitive to load than wall time) added by the shim: ' +
            `${signed(s[goShimName].cpu - s['go version, direct'].cpu)} ms` +
            ` for \`go version\`, ` +
            `${signed(s['/bin/true as go, shim (warm cache)'].cpu - s['/bin/true as go, direct'].cpu)} ms ` +
            'for /bin/true.',
        ]),
    `- Cache miss (one \`node shim-entry.js shim-resolve\`): ${fmt(missD)} over a warm call.`,
    `- Warm-cache shim runs (warm-ups included) that re-resolved anyway: ${warmMisses}.`,
    `- A go.mod-only project directly under the temp dir (no .goarm.toml, so every ancestor up to / is a dependency):`,
    `  ${probeMisses} of ${PROBE_CALLS} calls, 250 ms apart, ` +
      'found the cache stale (another process changed an ancestor directory).',
  ].join('\n');
}
