// dist/cli.js and dist/shim-entry.js are this file (scripts/bundle.mjs): each runs its bundle, dist/app/<same name>,
// through a V8 code cache kept in GOARM_HOME/cache/code, so that Node skips parsing and compiling goarm's own code on
// every run after the first (about half of what a command adds to Node's start-up). Node 20 has no compile cache of
// its own (module.enableCompileCache is Node 22). A cache is per bundle build, Node version, CPU and command: V8
// itself checks only the Node version and the source's length, so the build's content hash is in the file name.
// Nothing here may fail a command: a cache that cannot be read, written or is rejected is only slower.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { codeCacheDir, homeRoot } from './core/home.js';

/** Replaced by scripts/bundle.mjs with the first 16 hex digits of the SHA-256 of the bundle this file runs. */
const BUILD = '__GOARM_BUILD__';
/** A cache directory holding this many files takes no more: the key comes from the command line. */
const MAX_FILES = 100;
const DAY = 86_400_000;

interface CjsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  require(id: string): unknown;
}
type Loader = {
  new (id: string, parent: null): CjsModule;
  wrap(code: string): string;
  _nodeModulePaths(dir: string): string[];
};

const self = fileURLToPath(import.meta.url);
const name = basename(self, '.js');
const app = join(dirname(self), 'app', `${name}.js`);
// One cache per command: each holds the functions that command compiled. Only plain words make a key.
const word = /^-{0,2}([a-z][a-z-]{0,19})$/.exec(process.argv[2] ?? '')?.[1] ?? '_';
const prefix = `${name}-${BUILD}-`;
const debug = (msg: string) => process.env.GOARM_DEBUG && process.stderr.write(`goarm: code cache: ${msg}\n`);

/**
 * V8 checks a cache's header, not its payload: a damaged one crashes Node. So a cache file holds its length (u32
 * little-endian) and V8's data twice; the copies must match. A native compare costs ~0.03 ms where a checksum in
 * JavaScript cost 1 ms.
 */
function unwrap(file: Buffer): Buffer | undefined {
  const n = file.length >= 4 ? file.readUInt32LE(0) : -1;
  if (n <= 0 || file.length !== 4 + 2 * n) return undefined;
  const data = file.subarray(4, 4 + n);
  return data.equals(file.subarray(4 + n)) ? data : undefined;
}

let dir: string | undefined;
let cached: Buffer | undefined;
let damaged = false;
let file = '';
try {
  dir = codeCacheDir(homeRoot());
  file = join(dir, `${prefix}${process.version}-${process.arch}-${word}`);
  cached = unwrap(readFileSync(file));
  damaged = !cached;
} catch {
  // no home, no cache yet: compiled from source, and cached at exit
}

const source = readFileSync(app, 'utf8');
const L = Module as unknown as Loader;
const script = new Script(L.wrap(source), { filename: app, cachedData: cached });
const rejected = damaged || (cached !== undefined && script.cachedDataRejected === true);
debug(`${file}: ${rejected ? 'rejected' : cached ? 'used' : 'none'}`);
if (dir && (!cached || rejected)) process.once('exit', () => save(dir, file, script));

const m = new L(app, null);
m.filename = app;
m.paths = L._nodeModulePaths(dirname(app));
(script.runInThisContext() as (...a: unknown[]) => void).call(
  m.exports,
  m.exports,
  (id: string) => m.require(id),
  m,
  app,
  dirname(app),
);

/**
 * At exit, so the cache holds every function the command compiled. Only into an existing home (never creates it);
 * removes other builds' old caches of this bundle. A temp file and a rename: a reader never sees half a cache.
 */
function save(dir: string, file: string, s: Script): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    for (const d of [dirname(dir), dir])
      try {
        mkdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    const names = readdirSync(dir);
    // Another build's cache (or a temp file a killed run left) goes once written over a day ago: two goarm builds
    // sharing a home (an upgrade while a shell still runs the old one, a checkout beside the installed package)
    // then rewrite each other's at most daily instead of on every run.
    for (const n of names) {
      if (!n.startsWith(`${name}-`) || (n.startsWith(prefix) && !n.endsWith('.tmp'))) continue;
      const age = Date.now() - (statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > DAY) rmSync(join(dir, n), { force: true });
    }
    if (names.length >= MAX_FILES) return;
    const data = s.createCachedData();
    const length = Buffer.alloc(4);
    length.writeUInt32LE(data.length);
    writeFileSync(tmp, Buffer.concat([length, data, data]));
    renameSync(tmp, file);
    debug(`${file}: written`);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    debug(`${file}: not written (${(e as Error).message})`);
  }
}
