// Builds the optional native helper with node-gyp-build (a no-op when a build exists). Run by `npm run build` (in
// a checkout) and, with --prebuild, by `prepack`: the N-API binary is then copied to prebuilds/<platform>-<arch>/
// (N-API: one binary serves every Node version), so users never compile anything; node-gyp-build loads it, and
// any platform without one takes the JS fallback. Without a compiler this prints a notice and exits 0.
// node-gyp needs Node's headers. The running Node ships them in <prefix>/include/node (official tarballs, nvm,
// Homebrew and Debian's nodejs all do), so point node-gyp there instead of downloading them from nodejs.org:
// an offline machine with a compiler still builds. An explicit --nodedir / npm_config_nodedir wins.
'use strict';
const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');
const prefix = dirname(dirname(process.execPath));
const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi')))
  env.npm_config_nodedir = prefix;
const r = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { cwd: root, stdio: 'inherit', env });
const built = join(root, 'build', 'Release', 'goarm_native.node');
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
if (r.status === 0 && existsSync(built)) {
  if (process.argv.includes('--prebuild')) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(built, join(dir, 'node.napi.node'));
  }
} else if (!existsSync(join(dir, 'node.napi.node'))) {
  console.error('goarm: native helper not built (no compiler?); goarm uses its JS fallback');
}
