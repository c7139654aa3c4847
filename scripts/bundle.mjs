// Build step after tsc: rebundles dist/ as CommonJS, which Node loads faster than ES modules (no ESM loader, no
// per-module resolution through it):
// - dist/app/cli.js and dist/app/shim-entry.js: each entry with everything it may run in one file (one read, one
//   compile; the command modules stay lazy inside it). undici, openpgp, tar, yargs, keytar and the native helper stay
//   external, required only where used.
// - dist/cli.js and dist/shim-entry.js: src/boot.ts, which runs the bundle of the same name through a V8 code cache,
//   with that bundle's content hash written in.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'rolldown';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(ROOT, 'dist.bundle');
const EXTERNAL = new Set(['undici', 'openpgp', 'tar', 'yargs', 'keytar', 'node-gyp-build']);
const bare = (id) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');

const external = (id) => id.startsWith('node:') || builtinModules.includes(id) || EXTERNAL.has(bare(id));
// `import()` becomes require(): V8 loses the dynamic-import callback of a script compiled from a code cache, and
// Node ≥ 20.19 requires ES modules (yargs).
const cjs = { format: 'cjs', dynamicImportInCjs: false };
// Read on every run: no comments or whitespace (names stay), and ASCII only, so that V8 holds the source as one byte
// per character (a single `→` in a string made all 300 KB two-byte).
const lean = { comments: false, minify: { compress: false, mangle: false }, charset: 'ascii' };

/**
 * Pass 1: the entries (tsc's output) as CommonJS chunks split by use, in TMP. Pass 2 (`single`): an entry and the
 * chunks it may load in one file; a chunk stays a lazily run module in it, as do its requires of external packages
 * (bundling tsc's ES modules straight into one file would hoist them: undici, tar and openpgp on every path).
 */
const TMP = join(OUT, 'tmp');
const input = { cli: join(DIST, 'cli.js'), 'shim-entry': join(DIST, 'shim-entry.js') };
const common = { platform: 'node', logLevel: 'warn', external };
const single = (from, file, treeshake) =>
  build({ ...common, input: from, treeshake, output: { file, ...cjs, ...lean, codeSplitting: false } });

rmSync(OUT, { recursive: true, force: true });
const chunks = { dir: TMP, ...cjs, exports: 'named', chunkFileNames: 'chunks/[name]-[hash].js' };
await build({ ...common, input, output: chunks });
writeFileSync(join(TMP, 'package.json'), '{ "type": "commonjs" }\n');
// boot.js, straight from tsc's output, takes two pure functions from core/home.js: with no module but the entry
// running code at load, the error table that home.js imports stays out.
await single(join(DIST, 'boot.js'), join(OUT, 'boot.js'), { moduleSideEffects: false });
const boot = readFileSync(join(OUT, 'boot.js'), 'utf8');
if (!boot.includes('__GOARM_BUILD__')) throw new Error('src/boot.ts lost its __GOARM_BUILD__ placeholder');
for (const entry of ['cli', 'shim-entry']) {
  await single(join(TMP, `${entry}.js`), join(OUT, 'app', `${entry}.js`));
  const hash = createHash('sha256').update(readFileSync(join(OUT, 'app', `${entry}.js`))).digest('hex');
  writeFileSync(join(OUT, `${entry}.js`), boot.replace('__GOARM_BUILD__', hash.slice(0, 16)));
}
rmSync(join(OUT, 'boot.js'));
rmSync(TMP, { recursive: true });
// The package is "type": "module"; this makes Node load dist/ as CommonJS (see the top of this file).
writeFileSync(join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
rmSync(DIST, { recursive: true, force: true });
renameSync(OUT, DIST);
