// A signed local mirror of one real Go release for the benchmarks, and the goarm config.toml that trusts it.
// Shared by install.mjs (timed installs) and shim.mjs (installs once, then times the shims).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeKey, signDetached } from './keys.mjs';
import { startServer } from './server.mjs';

/**
 * Serves the official shape: the JSON index, the tarball and its detached signature, signed by a fresh key
 * written to tmp/test-key.asc. Returns { server, keyFile, writeConfig(home) }; close with server.close().
 */
export async function startMirror(go, tmp) {
  const key = await makeKey();
  const keyFile = path.join(tmp, 'test-key.asc');
  await writeFile(keyFile, key.publicArmored);
  const signature = await signDetached(key.privateKey, await readFile(go.path));
  const index = [
    {
      version: `go${go.version}`,
      stable: true,
      files: [
        {
          filename: go.filename,
          os: go.os,
          arch: go.arch,
          version: `go${go.version}`,
          sha256: go.sha256,
          size: go.size,
          kind: 'archive',
        },
      ],
    },
  ];
  const server = await startServer();
  server.route('/dl/', { body: JSON.stringify(index), type: 'application/json' });
  server.route(`/files/${go.filename}`, { file: go.path });
  server.route(`/files/${go.filename}.asc`, { body: signature, type: 'text/plain' });
  /** Writes home/config.toml pointing goarm at this mirror and its key. */
  const writeConfig = (home) =>
    writeFile(
      path.join(home, 'config.toml'),
      [
        `index_url = ${JSON.stringify(`${server.url}/dl/?mode=json&include=all`)}`,
        `download_base = ${JSON.stringify(`${server.url}/files/`)}`,
        `trusted_keys = [${JSON.stringify(keyFile)}]`,
        '',
      ].join('\n'),
    );
  return { server, keyFile, writeConfig };
}
