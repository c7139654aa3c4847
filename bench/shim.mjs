// Shim overhead: what a `go` call costs through $GOARM_HOME/shims/go compared with running the Go root's
// bin/go directly. Warm cache (the shim sources its resolve cache and execs: no Node) and cache miss (the shim
// runs `node light.js shim-resolve` first). `go version` itself takes milliseconds, so the same shim is also
// timed in front of a stand-in root whose bin/go is a copy of /bin/true: that isolates the shim's own cost.
import { spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { access, chmod, copyFile, mkdir, realpath, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hyperfineVersion, stats, timeSideBySide } from './hyperfine.mjs';
import { table, timeCommand } from './measure.mjs';
import { startMirror } from './mirror.mjs';
import { realGoTarball } from './realgo.mjs';

export const title = 'Shim overhead: go version through the shim vs direct';

const RUNS = Number(process.env.BENCH_SHIM_RUNS ?? 200);
const MISS_RUNS = Math.max(10, Math.round(RUNS / 8));
const WARMUP = 20;
const TARGET_MS = 1.0;

const cacheFile = (home, dir) => path.join(`${home}/cache/resolve${dir}`, '.goarm-shim-cache');

/** Every miss rewrites the cache through a uniquely named temp file: counting those names counts misses. */
function countMisses(dir) {
  const seen = new Set();
  const w = watch(dir, (_, name) => { if (name?.endsWith('.tmp')) seen.add(name); });
  return { stop: () => (w.close(), seen.size) };
}

export async function run(ctx) {
  for (const f of ['dist/cli.js', 'dist/light.js'])
    await access(path.join(ctx.root, f)).catch(() => { throw new Error(`${f} is missing: run \`npm run build\` first`); });
  const goarm = (home, args) => timeCommand(process.execPath, [path.join(ctx.root, 'bin/goarm'), ...args],
    { env: { ...process.env, GOARM_HOME: home, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' }, cwd: ctx.root });
  const tmp = await realpath(ctx.tmp);

  // The real Go, installed by goarm from a signed local mirror.
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
  // The stand-in: same version name, bin/go a real ELF that does nothing; goarm renders its shims.
  const fake = path.join(tmp, 'fake');
  const fakeGo = path.join(fake, 'versions', go.version, 'bin', 'go');
  await mkdir(path.dirname(fakeGo), { recursive: true });
  await copyFile('/bin/true', fakeGo);
  await chmod(fakeGo, 0o755);
  await writeFile(path.join(fake, 'versions', go.version, 'VERSION'), `go${go.version}\n`);
  await goarm(fake, ['shims']);

  const project = path.join(tmp, 'project');
  await mkdir(project);
  await writeFile(path.join(project, '.goarm.toml'), `go = "${go.version}"\n`);
  const env = { PWD: project };
  for (const [k, v] of Object.entries(process.env)) if (!/^(GO|CGO_)/.test(k) && k !== 'PWD') env[k] = v;

  const realGo = path.join(home, 'versions', go.version, 'bin', 'go');
  const direct = spawnSync(realGo, ['version'], { cwd: project, env, encoding: 'utf8' });
  for (const h of [home, fake]) { // the first call through each shim resolves and writes the cache
    const r = spawnSync(path.join(h, 'shims', 'go'), ['version'], { cwd: project, env, encoding: 'utf8' });
    const want = h === home ? direct.stdout : '';
    if (r.status !== 0 || r.stdout !== want) throw new Error(`shim in ${h}: exit ${r.status}, ${JSON.stringify(r.stdout)} ${r.stderr}`);
    await access(cacheFile(h, project));
  }

  const version = hyperfineVersion();
  const opts = { cwd: project, env, tmp, useHyperfine: true };
  const load = [os.loadavg()[0]];
  ctx.log(`  warm cache: ${RUNS} runs each (${version ?? 'own loop'})`);
  const watchers = [home, fake].map((h) => countMisses(path.dirname(cacheFile(h, project))));
  const warm = await timeSideBySide([
    { name: 'go version, direct', argv: [realGo, 'version'] },
    { name: 'go version, shim (warm cache)', argv: [path.join(home, 'shims', 'go'), 'version'] },
    { name: '/bin/true as bin/go, direct', argv: [fakeGo] },
    { name: '/bin/true as bin/go, shim (warm cache)', argv: [path.join(fake, 'shims', 'go')] },
    { name: 'floor: sh -c \'exec /bin/true-as-go\'', argv: ['/bin/sh', '-c', `exec '${fakeGo}'`] },
  ], { ...opts, runs: RUNS, warmup: WARMUP });
  await new Promise((r) => setTimeout(r, 200)); // let the last inotify events arrive
  const warmMisses = watchers.reduce((n, w) => n + w.stop(), 0);
  load.push(os.loadavg()[0]);
  ctx.log(`  cache miss: ${MISS_RUNS} runs each`);
  const miss = await timeSideBySide([
    { name: 'go version, shim (cache miss)', argv: [path.join(home, 'shims', 'go'), 'version'], prepare: ['rm', '-f', cacheFile(home, project)] },
    { name: '/bin/true as bin/go, shim (cache miss)', argv: [path.join(fake, 'shims', 'go')], prepare: ['rm', '-f', cacheFile(fake, project)] },
  ], { ...opts, runs: MISS_RUNS, warmup: 3 });
  load.push(os.loadavg()[0]);

  const s = Object.fromEntries([...warm, ...miss].map((r) => [r.name, stats(r.times)]));
  const ms = (x) => x.toFixed(2);
  const row = (name) => [`\`${name}\``, `${ms(s[name].mean)} ± ${ms(s[name].sd)}`, ms(s[name].median), ms(s[name].min)];
  const delta = (a, b) => ({ mean: s[b].mean - s[a].mean, median: s[b].median - s[a].median,
    se: Math.sqrt(s[a].sd ** 2 / s[a].n + s[b].sd ** 2 / s[b].n) });
  const goD = delta('go version, direct', 'go version, shim (warm cache)');
  const trueD = delta('/bin/true as bin/go, direct', '/bin/true as bin/go, shim (warm cache)');
  const floorD = delta('/bin/true as bin/go, direct', 'floor: sh -c \'exec /bin/true-as-go\'');
  const missD = delta('/bin/true as bin/go, shim (warm cache)', '/bin/true as bin/go, shim (cache miss)');
  const verdict = (d) => (d.median <= TARGET_MS ? 'within' : 'OVER');
  const fmt = (d) => `**+${ms(d.median)} ms** median, +${ms(d.mean)} ± ${ms(d.se)} ms mean`;
  return [
    `go${go.version} installed by goarm from a signed local mirror; a stand-in root (same version) whose bin/go is a copy`,
    `of /bin/true; project directory with \`.goarm.toml\` \`go = "${go.version}"\`. ${version ?? 'own interleaved loop'}, no shell`,
    `(--shell=none), ${WARMUP} warm-up runs, ${RUNS} timed runs per command (cache miss: ${MISS_RUNS}, cache file deleted before`,
    `each run). Load average (1 min) before / between / after: ${load.map((l) => l.toFixed(2)).join(' / ')} on`,
    `${os.availableParallelism()} cores (machine shared with other jobs).`,
    '',
    table(['command', 'mean ± σ ms', 'median ms', 'min ms'], [...warm, ...miss].map((r) => row(r.name))),
    '',
    `- Shim overhead, warm cache, \`go version\`: ${fmt(goD)} (target ≤ ${TARGET_MS} ms: ${verdict(goD)}).`,
    `- Shim overhead, warm cache, /bin/true: ${fmt(trueD)} (target ≤ ${TARGET_MS} ms: ${verdict(trueD)});`,
    `  of which starting /bin/sh and exec'ing is ${ms(floorD.median)} ms (median), the shim's own script work ${ms(trueD.median - floorD.median)} ms.`,
    `- Cache miss (one \`node light.js shim-resolve\`): ${fmt(missD)} over a warm call.`,
    `- Warm runs that found the cache stale and re-resolved (another process touched a searched directory): ${warmMisses}.`,
  ].join('\n');
}
