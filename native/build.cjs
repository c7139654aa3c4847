// The npm "install" script: build the native helper with node-gyp-build (a no-op when a build exists).
// node-gyp needs Node's headers. The running Node ships them in <prefix>/include/node (official tarballs, nvm,
// Homebrew and Debian's nodejs all do), so point node-gyp there instead of downloading them from nodejs.org:
// an offline CI machine with a compiler still builds. An explicit --nodedir / npm_config_nodedir wins.
// Exits with node-gyp-build's status; package.json turns a failure into a notice, never a failed install.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const prefix = dirname(dirname(process.execPath));
const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi')))
  env.npm_config_nodedir = prefix;
const r = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], {
  cwd: join(__dirname, '..'),
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
