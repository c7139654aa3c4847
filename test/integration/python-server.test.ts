// Downloads from `python3 -m http.server`, which closes the connection right after each body and ignores Range:
// the server behaviour that crashes undici's stream() API (nodejs/undici#5360). goarm uses request() only; this
// proves installs from such a server succeed every time.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { goArchiveName, HOST, makeGoTarball } from '../helpers/gotree.js';
import { makeKey, signDetached, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';

let server: ChildProcess;
let base: string;
const VERSION = '1.22.7';

/** Starts python3's http.server on 127.0.0.1, port 0, and reads the port it prints. */
function startPython(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`python3 http.server did not start: ${out}`)), 15_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: `http://127.0.0.1:${m[1]}/` });
      }
    });
    proc.on('error', reject);
  });
}

beforeAll(async () => {
  const dir = await tempHome('goarm-pyserver-');
  // ~4 MB of incompressible payload: the body arrives in many chunks before the server closes the socket.
  const body = await makeGoTarball({
    version: VERSION,
    extraFiles: { 'go/misc/blob.txt': randomBytes(3_000_000).toString('base64') },
  });
  const key = await makeKey();
  const filename = goArchiveName(VERSION, HOST.os, HOST.arch);
  await writeFile(join(dir, filename), body);
  await writeFile(join(dir, filename + '.asc'), await signDetached(body, key));
  const sha256 = createHash('sha256').update(body).digest('hex');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify([
      {
        version: `go${VERSION}`,
        stable: true,
        files: [
          {
            filename,
            os: HOST.os,
            arch: HOST.arch,
            version: `go${VERSION}`,
            sha256,
            size: body.length,
            kind: 'archive',
          },
        ],
      },
    ]),
  );
  await mkdir(join(dir, 'keys'));
  const started = await startPython(dir);
  server = started.proc;
  base = started.url;
  (globalThis as { keyFile?: string }).keyFile = await writeKeyFile(join(dir, 'keys'), key);
});

afterAll(async () => {
  server?.kill();
  await cleanupTempHomes();
});

describe('a server that closes the connection right after the body (python3 -m http.server)', () => {
  it('5 installs in a row all succeed, each with the whole verified tree', async () => {
    const keyFile = (globalThis as { keyFile?: string }).keyFile!;
    for (let i = 0; i < 5; i++) {
      const home = await tempHome('goarm-pyserver-home-');
      await writeTrustConfig(home, { indexUrl: base + 'index.json', downloadBase: base, keyFiles: [keyFile] });
      const r = await runGoarm(['install', '1.22', '--quiet'], { home });
      expect(r.code, `run ${i + 1}: ${r.stderr}`).toBe(0);
      expect(existsSync(join(home, 'versions', VERSION, 'misc', 'blob.txt'))).toBe(true);
      expect(existsSync(join(home, 'downloads', goArchiveName(VERSION, HOST.os, HOST.arch) + '.partial'))).toBe(false);
    }
  });
});
