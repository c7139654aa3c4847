// The real Go toolchain for e2e tests: Debian's golang-1.19-go repacked as an official release tarball.
// bench/realgo.mjs is the one implementation (the benchmark loads it from plain Node); this is its typed face.
import { readFile } from 'node:fs/promises';
import { type RealGo, realGoTarball } from '../../bench/realgo.mjs';
import { makeKey, signDetached, type TestKey } from './keys.js';
import { type Mirror, startMirror } from './mirror.js';

export { type RealGo, realGoTarball };

/** The real Go release, signed with a fresh key, served by a local mirror (close it in afterAll). */
export async function realGoMirror(): Promise<{ go: RealGo; mirror: Mirror; key: TestKey }> {
  const go = await realGoTarball();
  const body = await readFile(go.path);
  const key = await makeKey();
  const mirror = await startMirror();
  mirror.addRelease({
    version: go.version,
    stable: true,
    files: [{ os: go.os, arch: go.arch, body, asc: await signDetached(body, key) }],
  });
  return { go, mirror, key };
}
