// Build step after tsc: rebundles dist/ as CommonJS, which Node loads faster than ES modules (no ESM loader, no
// per-module resolution through it), with shared code split into chunks by use, so `--version` loads two small files
// and `list` a dozen (one big chunk for every light path measured slower: each command compiled code it never ran).
// Entries keep their paths: dist/cli.js, dist/shim-entry.js and dist/commands/<name>.js (cli.js names each command's
// module in a literal table). undici, openpgp, tar, yargs and the native helper stay external, loaded only where
// used; smol-toml is small and read on every light path, so it is bundled in.
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'rolldown';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(ROOT, 'dist.bundle');
const EXTERNAL = new Set(['undici', 'openpgp', 'tar', 'yargs', 'keytar', 'node-gyp-build']);
const bare = (id) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');

const input = { cli: join(DIST, 'cli.js'), 'shim-entry': join(DIST, 'shim-entry.js') };
for (const f of readdirSync(join(DIST, 'commands')))
  input[`commands/${f.replace(/\.js$/, '')}`] = join(DIST, 'commands', f);

rmSync(OUT, { recursive: true, force: true });
await build({
  input,
  platform: 'node',
  logLevel: 'warn',
  external: (id) => id.startsWith('node:') || builtinModules.includes(id) || EXTERNAL.has(bare(id)),
  output: {
    dir: OUT,
    format: 'cjs',
    exports: 'named', // a command's default export stays .default, as cli.ts reads it
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
});
// The package is "type": "module"; this makes Node load dist/ as CommonJS (see the top of this file).
writeFileSync(join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
rmSync(DIST, { recursive: true, force: true });
renameSync(OUT, DIST);
