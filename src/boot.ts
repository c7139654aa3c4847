// dist/cli.js and dist/shim-entry.js are this file (scripts/bundle.mjs): each runs its bundle, dist/app/<same name>,
// through a V8 code cache kept in GOARM_HOME/cache/code, so that Node skips parsing and compiling goarm's own code on
// every run after the first (about half of what a command adds to Node's start-up). Node 20 has no compile cache of
// its own (module.enableCompileCache is Node 22). A cache is per bundle build, Node version, CPU and command: V8
// itself checks only the Node version and the source's length, so the build's content hash is in the file name.
// Nothing here may fail a command: a cache that cannot be read, written or is rejected is only slower.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { codeCacheDir, homeRoot } from './core/home.js';

/** Replaced by scripts/bundle.mjs with the first 16 hex digits of the SHA-256 of the bundle this file runs. */
const BUILD = '__GOARM_BUILD__';
/** A cache directory holding this many files takes no more: the key comes from the command line. */
const MAX_FILES = 100;

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
 * V8 checks a cache's header, not its payload: a damaged one crashes Node. So a cache file is an 8-byte header (this
 * checksum of the payload, then its length, both u32 little-endian) and V8's data; 32-bit words, FNV-1a style.
 */
function checksum(data: Buffer): number {
  let h = 0x811c9dc5;
  const words = Math.floor(data.length / 4);
  const aligned = data.byteOffset % 4 === 0;
  const view = aligned ? new Uint32Array(data.buffer, data.byteOffset, words) : undefined;
  for (let i = 0; i < words; i++) h = Math.imul(h ^ (view ? view[i] : data.readUInt32LE(i * 4)), 0x01000193);
  for (let i = words * 4; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}

let dir: string | undefined;
let cached: Buffer | undefined;
let damaged = false;
let file = '';
try {
  dir = codeCacheDir(homeRoot());
  file = join(dir, `${prefix}${process.version}-${process.arch}-${word}`);
  const data = readFileSync(file);
  cached = data.subarray(8);
  damaged = data.length < 8 || data.readUInt32LE(4) !== cached.length || data.readUInt32LE(0) !== checksum(cached);
  if (damaged) cached = undefined;
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
 * removes the caches of other builds of this bundle. A temp file and a rename: a reader never sees half a cache.
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
    for (const n of names) if (n.startsWith(`${name}-`) && !n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
    if (names.length >= MAX_FILES) return;
    const data = s.createCachedData();
    const header = Buffer.alloc(8);
    header.writeUInt32LE(checksum(data), 0);
    header.writeUInt32LE(data.length, 4);
    writeFileSync(tmp, Buffer.concat([header, data]));
    renameSync(tmp, file);
    debug(`${file}: written`);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    debug(`${file}: not written (${(e as Error).message})`);
  }
}
