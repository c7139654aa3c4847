// Install benchmark: `goarm install` against the plain GNU pipeline (curl | tee >(sha256sum) | tar -xz),
// on the same full-size Go tarball, served by the same local HTTP server. The GNU pipeline is the floor:
// it downloads, hashes and extracts but checks no signature and offers no atomicity.
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { alternate, median, min, seconds, table, timeCommand } from './measure.mjs';
import { startMirror } from './mirror.mjs';
import { realGoTarball } from './realgo.mjs';

export const title = 'Install a Go release (download, verify, extract)';

const GNU = 'set -o pipefail; curl -sSf "$1" | tee >(sha256sum > "$2") | tar -xz -C "$3"; wait';

async function exists(file) {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function run(ctx) {
  const go = await realGoTarball();
  ctx.log(`  tarball: ${go.path} (${(go.size / 1e6).toFixed(1)} MB)`);
  const { server, writeConfig } = await startMirror(go, ctx.tmp);
  const fileUrl = `${server.url}/files/${go.filename}`;
  // Both sides reach 127.0.0.1 directly even when the machine has a proxy configured.
  const env = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  const scratch = async (prefix) => mkdtemp(path.join(ctx.tmp, prefix));

  const gnu = {
    name: 'GNU: curl | tee >(sha256sum) | tar -xz',
    async prepare() {
      const dir = await scratch('gnu-');
      await mkdir(path.join(dir, 'root'));
      return dir;
    },
    run: (dir) =>
      timeCommand('bash', ['-c', GNU, 'bench', fileUrl, path.join(dir, 'sum'), path.join(dir, 'root')], { env }),
    async check(dir) {
      const sum = (await readFile(path.join(dir, 'sum'), 'utf8')).split(/\s/)[0];
      if (sum !== go.sha256) throw new Error(`GNU pipeline hashed ${sum}, expected ${go.sha256}`);
      if (!(await exists(path.join(dir, 'root/go/bin/go')))) throw new Error('GNU pipeline left no go/bin/go');
    },
    cleanup: (dir) => rm(dir, { recursive: true, force: true }),
  };

  const goarm = {
    name: 'goarm install 1.19 --quiet',
    async prepare() {
      const home = await scratch('home-');
      await writeConfig(home);
      return home;
    },
    run: (home) =>
      timeCommand(process.execPath, [path.join(ctx.root, 'dist/cli.js'), 'install', '1.19', '--quiet'], {
        env: { ...env, GOARM_HOME: home },
        cwd: ctx.root,
      }),
    async check(home) {
      const root = path.join(home, 'versions', go.version);
      const version = await readFile(path.join(root, 'VERSION'), 'utf8').catch(() => '');
      if (!version.startsWith(`go${go.version}`) || !(await exists(path.join(root, 'bin/go'))))
        throw new Error(`goarm install left no complete ${root}`);
    },
    cleanup: (home) => rm(home, { recursive: true, force: true }),
  };

  const only = process.env.BENCH_INSTALL_ONLY; // "gnu" or "goarm": one side only, while developing
  const variants = [gnu, goarm].filter((v) => !only || v === (only === 'gnu' ? gnu : goarm));
  if (variants.includes(goarm) && !(await exists(path.join(ctx.root, 'dist/cli.js'))))
    throw new Error('dist/cli.js is missing: run `npm run build` first (or BENCH_INSTALL_ONLY=gnu)');

  let samples;
  const load = [os.loadavg()[0]];
  try {
    samples = await alternate(variants, ctx.runs, ctx.log);
    load.push(os.loadavg()[0]);
  } finally {
    await server.close();
  }

  const mb = go.size / 1e6;
  const rows = variants.map((v) => {
    const xs = samples.get(v.name);
    return [`\`${v.name}\``, seconds(median(xs)), seconds(min(xs)), (mb / (median(xs) / 1000)).toFixed(0)];
  });
  const lines = [
    `${go.filename}, ${mb.toFixed(1)} MB, from a local HTTP server; one warm-up pair, then ${ctx.runs} pairs, ` +
      'the order reversed every other pair, `sync` before every run. Load average (1 min) before / after: ' +
      `${load.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    table(['command', 'median s', 'min s', 'MB/s (median)'], rows),
  ];
  if (variants.length === 2) {
    const [a, b] = [samples.get(gnu.name), samples.get(goarm.name)];
    const ratios = b.map((x, i) => x / a[i]);
    const ratio = median(ratios);
    ctx.row('`goarm install` of the real tarball vs `curl | tee >(sha256sum) | tar -xz`', ratio, 1.2);
    lines.push(
      '',
      `goarm / GNU: **${ratio.toFixed(2)}x** (median of the per-pair ratios: ` +
        `${ratios.map((r) => r.toFixed(2)).join(', ')}). ` +
        'goarm also fetches the index, checks the OpenPGP signature and the SHA-256, records the per-file manifest ' +
        'and renames into place atomically.',
    );
  }
  return lines.join('\n');
}
