// The light paths must stay near Node's own start-up: they may not load undici, openpgp, tar or yargs (together
// ~100+ ms). Checked at run time, not from the import graph: each path runs with a loader hook (NODE_OPTIONS
// --import) that logs every ES module Node loads (yargs is one) and a preload (--require) that logs every CommonJS
// module at exit (dist/ is CommonJS, and so are undici, tar and openpgp's Node build), through the real entry points
// (bin/goarm, the rendered shim, the hook's entry). A control run (`install --help`) proves the log does see the
// heavy modules when they load.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import { writeIndexCache } from '../../src/install/release-index.js';
import { cleanupTempHomes, REPO_ROOT, runNode, tempHome } from '../helpers/cli.js';
import { makeWorld, type World } from '../helpers/fakego.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HEAVY = /[\\/]node_modules[\\/](undici|openpgp|tar|yargs)[\\/]/;
// Runs in the loader's own thread (Node 20): appends each loaded module's URL to $GOARM_TEST_MODULE_LOG.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.GOARM_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}`;

// Preloaded: at exit, appends the file of every CommonJS module loaded to $GOARM_TEST_MODULE_LOG.
const PRELOAD = `process.on('exit', () => {
  const files = Object.keys(require.cache).map((f) => f + '\\n').join('');
  require('node:fs').appendFileSync(process.env.GOARM_TEST_MODULE_LOG, files);
});`;

let w: World;
let dir: string;
let register: string;
let preload: string;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5', '1.23.4'], default: '1.23' });
  dir = await tempHome('goarm-light-');
  register = join(dir, 'register.mjs');
  const hooks = JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  await writeFile(register, `import { register } from 'node:module';\nregister(${hooks});\n`);
  preload = join(dir, 'preload.cjs');
  await writeFile(preload, PRELOAD);
});
afterAll(cleanupTempHomes);

let n = 0;
/** Runs `run` with the module log on; returns the URLs of the modules loaded, after checking the run succeeded. */
async function loaded(
  run: (env: Record<string, string>) => Promise<{ code: number; stderr: string }>,
  code = 0,
): Promise<string[]> {
  const log = join(dir, `modules-${++n}.log`);
  await rm(log, { force: true });
  const r = await run({ NODE_OPTIONS: `--import=${register} --require=${preload}`, GOARM_TEST_MODULE_LOG: log });
  expect(r.code, r.stderr).toBe(code);
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  expect(urls.length, 'the module log is empty: the hook did not run').toBeGreaterThan(0);
  return urls;
}
const heavy = (urls: string[]) => urls.filter((u) => HEAVY.test(u));

describe('light paths load no heavy module', () => {
  const cli = (args: string[], code = 0, cwd?: string) =>
    loaded((env) => w.goarm(args, { env, cwd }), code).then((urls) => {
      expect(urls.some((u) => u.endsWith('/dist/cli.js'))).toBe(true);
      return urls;
    });

  it.each(['--version', 'list', 'list --json', 'ls', 'current', 'current --json', 'which go', 'which gofmt'])(
    'goarm %s',
    async (line) => {
      expect(heavy(await cli(line.split(' ')))).toEqual([]);
    },
  );

  it('goarm current where the pinned version is not installed (exit 4)', async () => {
    const cwd = await w.files('missing', { '.go-version': '1.19\n' });
    expect(heavy(await cli(['current'], 4, cwd))).toEqual([]);
  });

  it.each(['bash', 'zsh', 'fish'])('goarm use (the init code, %s)', async (shell) => {
    expect(heavy(await cli(['use', '--shell', shell]))).toEqual([]);
  });

  it('goarm ls-remote with a fresh cached index (no network, so no undici)', async () => {
    const url = 'https://go.dev/dl/?mode=json&include=all'; // the default index_url
    await writeIndexCache(goarmHome({ GOARM_HOME: w.home }), url, [{ version: '1.23.4', stable: true, files: [] }]);
    const urls = await loaded(async (env) => {
      const r = await w.goarm(['ls-remote', '--json'], { env: { ...env, GOARM_INDEX_TTL: '600' } });
      expect(JSON.parse(r.stdout)).toMatchObject([{ version: '1.23.4' }]);
      return r;
    });
    expect(heavy(urls)).toEqual([]);
  });

  it('a shim on a resolve-cache miss', async () => {
    const cwd = await w.files('proj', { '.go-version': '1.22\n' });
    const urls = await loaded(async (env) => {
      const r = await w.shim('dash', ['version'], { cwd, env });
      expect(r.stdout).toMatch(/^go=1\.22\.5 /);
      return r;
    });
    expect(urls.some((u) => u.endsWith('/dist/shim-entry.js'))).toBe(true);
    expect(heavy(urls)).toEqual([]);
  });

  it('the shell hook on a stale cache', async () => {
    const cwd = await w.files('hooked', { '.go-version': '1.23\n' });
    const entry = join(REPO_ROOT, 'dist', 'shim-entry.js');
    const urls = await loaded((env) => runNode(entry, ['hook-resolve', cwd], { home: w.home, env }));
    expect(heavy(urls)).toEqual([]);
  });

  it('control: the log sees yargs and undici when a command loads them', async () => {
    const names = heavy(await cli(['install', '--help'])).map((u) => HEAVY.exec(u)?.[1]);
    expect(new Set(names)).toEqual(new Set(['yargs', 'undici', 'openpgp', 'tar']));
  });
});
