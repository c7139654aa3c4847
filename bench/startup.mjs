// Start-up of the everyday commands against Node's own (`node -e 0`), side by side in one hyperfine run:
// `goarm --version`, `list`, `current`, `which go`, `ls-remote` with a fresh cached index, and a shim on a
// resolve-cache miss (the cache file removed before every run). The home holds one installed stand-in root (its
// bin/go is /bin/true), a default, the rendered shims and a cached index the size of go.dev's.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hyperfineVersion, stats, timeSideBySide } from './hyperfine.mjs';
import { table, timeCommand } from './measure.mjs';

export const title = "Start-up: commands and a shim cache miss vs Node's own start-up";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 100); // σ is 10–15% of a run here: many runs, steady medians
const VERSION = '1.22.5';

/** Releases shaped like go.dev's include=all (~300 releases, ~15 files each), as the index cache holds them. */
function bigIndex() {
  const platforms = ['linux-amd64', 'linux-arm64', 'linux-386', 'darwin-amd64', 'darwin-arm64', 'windows-amd64'];
  const releases = [];
  for (let minor = 26; minor >= 1; minor--)
    for (let patch = 12; patch >= 0; patch--) {
      const v = `1.${minor}${patch ? `.${patch}` : ''}`;
      const files = platforms.flatMap((p) =>
        ['tar.gz', 'pkg'].map((ext) => ({
          filename: `go${v}.${p}.${ext}`,
          os: p.split('-')[0],
          arch: p.split('-')[1],
          version: v,
          sha256: 'a'.repeat(64),
          size: 70_000_000,
          kind: ext === 'tar.gz' ? 'archive' : 'installer',
        })),
      );
      releases.push({ version: v, stable: true, files });
    }
  return releases;
}

export async function run(ctx) {
  if (!hyperfineVersion()) throw new Error('hyperfine is needed for the start-up bench (apt-get install hyperfine)');
  const home = path.join(ctx.tmp, 'home');
  const root = path.join(home, 'versions', VERSION);
  await mkdir(path.join(root, 'bin'), { recursive: true });
  await copyFile('/bin/true', path.join(root, 'bin', 'go'));
  await writeFile(path.join(root, 'VERSION'), `go${VERSION}\n`);
  await writeFile(path.join(home, 'config.toml'), 'default = "1.22"\n');
  await mkdir(path.join(home, 'cache'), { recursive: true });
  // The cache as goarm writes it (install/release-index.ts): a header line, then the releases.
  const url = 'https://go.dev/dl/?mode=json&include=all'; // the default index_url
  const releases = bigIndex();
  const header = { url, fetchedAt: new Date().toISOString(), versions: releases.map((r) => [r.version, r.stable]) };
  await writeFile(path.join(home, 'cache', 'index.jsonl'), `${JSON.stringify(header)}\n${JSON.stringify(releases)}\n`);
  const project = path.join(ctx.tmp, 'project');
  await mkdir(project);
  await writeFile(path.join(project, '.goarm.toml'), 'go = "1.22"\n');

  const goarm = path.join(ctx.root, 'bin', 'goarm');
  const env = { ...process.env, GOARM_HOME: home, GOARM_INDEX_TTL: '86400', NO_COLOR: '1' };
  delete env.GOARM_VERSION;
  await timeCommand(goarm, ['shims'], { env, cwd: project });
  const shim = path.join(home, 'shims', 'go');
  const cache = path.join(home, 'cache', 'resolve', project, '.goarm-shim-cache');
  await timeCommand(shim, [], { env, cwd: project }); // resolves once: the path works

  const commands = [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { name: 'goarm --version', argv: [goarm, '--version'] },
    { name: 'goarm list', argv: [goarm, 'list'] },
    { name: 'goarm current', argv: [goarm, 'current'] },
    { name: 'goarm which go', argv: [goarm, 'which', 'go'] },
    { name: 'goarm ls-remote (fresh cached index)', argv: [goarm, 'ls-remote'] },
    { name: 'shim, resolve-cache miss', argv: [shim], prepare: ['rm', '-f', cache] },
  ];
  const load = [os.loadavg()[0]];
  ctx.log(`  ${RUNS} runs per command, in 10 rounds of alternating order`);
  const res = await timeSideBySide(commands, { runs: RUNS, warmup: 3, rounds: 10, cwd: project, env, tmp: ctx.tmp });
  load.push(os.loadavg()[0]);
  const s = Object.fromEntries(res.map((r) => [r.name, { ...stats(r.times), cpu: r.cpu }]));
  const base = s['node -e 0'];
  for (const c of commands.slice(1))
    ctx.row(`\`${c.name}\` vs \`node -e 0\` (median wall time)`, s[c.name].median / base.median, 1.5);
  const ms = (x) => x.toFixed(1);
  return [
    `hyperfine (--shell=none), ${res[0].times.length} timed runs per command in 10 rounds, the order reversed every`,
    `other round; the cache file is removed before every cache-miss run. Load average (1 min) before / after:`,
    `${load.map((l) => l.toFixed(2)).join(' / ')} on ${os.availableParallelism()} cores.`,
    '',
    table(
      ['command', 'median ms', 'mean ± σ ms', 'CPU ms (user+sys)', 'vs node -e 0 (median)'],
      res.map((r) => {
        const x = s[r.name];
        return [
          `\`${r.name}\``,
          ms(x.median),
          `${ms(x.mean)} ± ${ms(x.sd)}`,
          ms(x.cpu),
          `${(x.median / base.median).toFixed(2)}x`,
        ];
      }),
    ),
  ].join('\n');
}
