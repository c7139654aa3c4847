import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, GoarmError } from '../../src/core/errors.js';
import { createExtractor, extractFile } from '../../src/install/archive.js';

// A member of a hand-made tarball: real ustar headers from node-tar's Header class, so hostile
// archives can hold what no file system (or a polite tar) would produce.
interface Member {
  path: string;
  type?: string;
  body?: string | Buffer;
  mode?: number;
  linkpath?: string;
  uid?: number;
}

function tarball(members: Member[], trailer = Buffer.alloc(1024)): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const body = Buffer.from(m.body ?? '');
    const type = m.type ?? 'File';
    const h = new Header({
      path: m.path,
      type: type as never,
      size: type === 'File' ? body.length : 0,
      linkpath: m.linkpath,
      mode: m.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: m.uid ?? 0,
      gid: m.uid ?? 0,
      mtime: new Date('2024-01-02T03:04:05Z'),
    });
    h.encode();
    blocks.push(h.block!);
    if (type === 'File' && body.length) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...blocks, trailer]));
}

let tmp: string;
let dest: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'goarm-archive-'));
  dest = path.join(tmp, 'root', 'dest'); // `..` from dest lands in tmp/root, `../..` in tmp
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function extract(tgz: Buffer, opts?: { maxBytes?: number }, chunk = 4096): Promise<void> {
  const ex = createExtractor(dest, opts);
  for (let i = 0; i < tgz.length; i += chunk) ex.write(tgz.subarray(i, i + chunk));
  return ex.end();
}

async function refusal(p: Promise<void>): Promise<GoarmError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(GoarmError);
  expect((e as GoarmError).exitCode).toBe(ExitCode.ARCHIVE);
  expect((e as GoarmError).hint).toBeTruthy();
  return e as GoarmError;
}

describe('a good archive', () => {
  it('extracts a GNU tar archive: files, dirs, an internal symlink, exec modes, contents', async () => {
    const src = path.join(tmp, 'src');
    mkdirSync(path.join(src, 'go', 'bin'), { recursive: true });
    mkdirSync(path.join(src, 'go', 'src', 'fmt'), { recursive: true });
    writeFileSync(path.join(src, 'go', 'VERSION'), 'go1.23.4\ntime 2024-12-03\n', { mode: 0o644 });
    writeFileSync(path.join(src, 'go', 'bin', 'go'), '#!/bin/sh\necho go\n', { mode: 0o755 });
    writeFileSync(path.join(src, 'go', 'src', 'fmt', 'print.go'), 'package fmt\n'.repeat(5000), { mode: 0o644 });
    symlinkSync('../src/fmt', path.join(src, 'go', 'bin', 'fmtsrc'));
    const tgz = path.join(tmp, 'good.tar.gz');
    execFileSync('tar', ['-C', src, '-czf', tgz, 'go']);

    await extractFile(tgz, dest);

    expect(readFileSync(path.join(dest, 'go', 'VERSION'), 'utf8')).toBe('go1.23.4\ntime 2024-12-03\n');
    expect(readFileSync(path.join(dest, 'go', 'src', 'fmt', 'print.go'), 'utf8')).toBe('package fmt\n'.repeat(5000));
    expect(statSync(path.join(dest, 'go', 'bin', 'go')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dest, 'go', 'VERSION')).mode & 0o777).toBe(0o644);
    expect(readlinkSync(path.join(dest, 'go', 'bin', 'fmtsrc'))).toBe('../src/fmt');
    expect(execFileSync(path.join(dest, 'go', 'bin', 'go'), { encoding: 'utf8' })).toBe('go\n');
  });

  it('works however the compressed bytes are chunked', async () => {
    const tgz = tarball([
      { path: 'go/', type: 'Directory' },
      { path: 'go/a.txt', body: 'x'.repeat(3000) },
      { path: 'go/lib', type: 'SymbolicLink', linkpath: 'a.txt' },
      { path: 'go/hard', type: 'Link', linkpath: 'go/a.txt' },
    ]);
    await extract(tgz, undefined, 7);
    expect(readFileSync(path.join(dest, 'go', 'a.txt'), 'utf8')).toBe('x'.repeat(3000));
    expect(readFileSync(path.join(dest, 'go', 'lib'), 'utf8')).toBe('x'.repeat(3000));
    expect(statSync(path.join(dest, 'go', 'hard')).ino).toBe(statSync(path.join(dest, 'go', 'a.txt')).ino);
  });

  it('writes large files as they stream and small ones through the writer threads, hashing both', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'ab'); // over the 1 MiB threshold
    const small = Array.from({ length: 50 }, (_, i) => ({ path: `go/src/f${i}.go`, body: `package f // ${i}\n` }));
    const ex = createExtractor(dest);
    ex.write(
      gzipSync(
        tarball([
          { path: 'go/', type: 'Directory' },
          { path: 'go/bin/big', body: big.toString('latin1'), mode: 0o755 },
          ...small,
          { path: 'go/bin/hard', type: 'Link', linkpath: 'go/bin/big' },
        ]),
      ),
    );
    await ex.end();
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    expect(readFileSync(path.join(dest, 'go/bin/big')).equals(big)).toBe(true);
    expect(ex.files.get('go/bin/big')).toEqual({ mode: 0o755, size: big.length, sha256: sha(big) });
    expect(ex.files.get('go/bin/hard')?.sha256).toBe(sha(big));
    for (const [i, m] of small.entries()) {
      expect(readFileSync(path.join(dest, m.path), 'utf8')).toBe(m.body);
      expect(ex.files.get(`go/src/f${i}.go`)).toEqual({ mode: 0o644, size: m.body.length, sha256: sha(m.body) });
    }
  });

  it('drops setuid/setgid/sticky and group/other write bits, and never chowns', async () => {
    await extract(
      tarball([
        { path: 'go/suid', body: 'x', mode: 0o6777, uid: 12345 },
        { path: 'go/dir', type: 'Directory', mode: 0o1777, uid: 12345 },
      ]),
    );
    const f = statSync(path.join(dest, 'go', 'suid'));
    const d = statSync(path.join(dest, 'go', 'dir'));
    expect(f.mode & 0o7022).toBe(0);
    expect(f.mode & 0o100).toBe(0o100);
    expect(d.mode & 0o7022).toBe(0);
    expect(f.uid).toBe(process.getuid!());
    expect(d.uid).toBe(process.getuid!());
  });
});

describe('hostile archives are refused whole', () => {
  it('refuses a ../ member and writes nothing outside', async () => {
    const e = await refusal(
      extract(
        tarball([
          { path: 'go/ok', body: 'ok' },
          { path: '../x', body: 'pwned' },
          { path: 'go/after', body: 'a' },
        ]),
      ),
    );
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"../x"');
    expect(existsSync(path.join(tmp, 'root', 'x'))).toBe(false);
    expect(existsSync(path.join(dest, 'x'))).toBe(false);
    expect(existsSync(path.join(dest, 'go', 'after'))).toBe(false);
  });

  it('refuses a .. hidden inside a path', async () => {
    const e = await refusal(extract(tarball([{ path: 'go/../../x', body: 'pwned' }])));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(existsSync(path.join(tmp, 'root', 'x'))).toBe(false);
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
  });

  it('refuses a .. smuggled in a pax extended header over a harmless ustar name', async () => {
    const pax = new Pax({ path: '../paxed', linkpath: undefined } as never).encode();
    const rest = gunzipSync(tarball([{ path: 'go/harmless', body: 'pwned' }]));
    const e = await refusal(extract(gzipSync(Buffer.concat([pax, rest]))));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"../paxed"');
    expect(existsSync(path.join(tmp, 'root', 'paxed'))).toBe(false);
    expect(existsSync(path.join(dest, 'go', 'harmless'))).toBe(false);
  });

  it('refuses an absolute member instead of silently relativizing it', async () => {
    const target = path.join(tmp, 'abs-target');
    const e = await refusal(extract(tarball([{ path: target, body: 'pwned' }])));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain(JSON.stringify(target));
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path.join(dest, target))).toBe(false);
  });

  it('refuses a GNU tar archive with a symlink out of the root followed by a write through it', async () => {
    const outside = path.join(tmp, 'outside');
    mkdirSync(outside);
    const a = path.join(tmp, 'a'),
      b = path.join(tmp, 'b');
    mkdirSync(path.join(a, 'go'), { recursive: true });
    symlinkSync(outside, path.join(a, 'go', 'evil'));
    mkdirSync(path.join(b, 'go', 'evil'), { recursive: true });
    writeFileSync(path.join(b, 'go', 'evil', 'x'), 'pwned');
    const tar = path.join(tmp, 'evil.tar');
    execFileSync('tar', ['-C', a, '-cf', tar, 'go/evil']);
    execFileSync('tar', ['-C', b, '-rf', tar, 'go/evil/x']);
    const tgz = path.join(tmp, 'evil.tar.gz');
    writeFileSync(tgz, gzipSync(readFileSync(tar)));

    const e = await refusal(extractFile(tgz, dest));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"go/evil"');
    expect(existsSync(path.join(outside, 'x'))).toBe(false);
  });

  it('refuses a relative symlink that climbs out', async () => {
    const e = await refusal(extract(tarball([{ path: 'go/up', type: 'SymbolicLink', linkpath: '../../outside' }])));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"go/up"');
  });

  it('refuses a member that goes through an earlier symlink, even one that points inside', async () => {
    const e = await refusal(
      extract(
        tarball([
          { path: 'go/sub/', type: 'Directory' },
          { path: 'go/inner', type: 'SymbolicLink', linkpath: 'sub' },
          { path: 'go/inner/x', body: 'through' },
        ]),
      ),
    );
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"go/inner/x"');
    expect(existsSync(path.join(dest, 'go', 'sub', 'x'))).toBe(false);
  });

  it('refuses symlinks that escape only through another symlink, in either order', async () => {
    // go/d/x -> .. is go/ itself (fine alone); go/d/a -> x/../.. then climbs above go/.
    const first = await refusal(
      extract(
        tarball([
          { path: 'go/d/x', type: 'SymbolicLink', linkpath: '..' },
          { path: 'go/d/a', type: 'SymbolicLink', linkpath: 'x/../..' },
        ]),
      ),
    );
    expect(first.message).toContain('"go/d/a"');
    rmSync(dest, { recursive: true, force: true });
    const second = await refusal(
      extract(
        tarball([
          { path: 'go/d/a', type: 'SymbolicLink', linkpath: 'x/../..' },
          { path: 'go/d/x', type: 'SymbolicLink', linkpath: '..' },
        ]),
      ),
    );
    expect(second.code).toBe('E_UNSAFE_ARCHIVE');
    expect(second.message).toContain('"go/d/a"');
  });

  it('resolves links against the installed go/ tree, not the staging directory: go/up -> .. is refused', async () => {
    const e = await refusal(extract(tarball([{ path: 'go/up', type: 'SymbolicLink', linkpath: '..' }])));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toMatch(/"go\/up" -> "\.\." points outside go\//);
  });

  it.each([
    ['case', 'go/x', 'go/X/f'],
    ['Unicode normalization', 'go/caf\u00e9', 'go/cafe\u0301'],
  ])('refuses names that collide under %s folding (one file on macOS)', async (_what, a, b) => {
    const e = await refusal(
      extract(
        tarball([
          { path: a, type: 'SymbolicLink', linkpath: '.' },
          { path: b, body: 'b' },
        ]),
      ),
    );
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toMatch(/differ only in case or Unicode normalization/);
    expect(readdirSync(tmp).sort()).toEqual(['root']);
  });

  it('requires go/ to be a real directory and every member to be under it', async () => {
    for (const [entries, why] of [
      [[{ path: 'go', type: 'SymbolicLink', linkpath: 'elsewhere' }], /"go" must be a directory/],
      [[{ path: 'go', body: 'x' }], /"go" must be a directory/],
      [[{ path: 'other/x', body: 'x' }], /outside the top-level go\//],
    ] as const) {
      const e = await refusal(extract(tarball([...entries])));
      expect(e.code).toBe('E_UNSAFE_ARCHIVE');
      expect(e.message).toMatch(why);
      rmSync(dest, { recursive: true, force: true });
    }
  });

  it('a hard link to a directory is an unsafe archive, not a permission problem', async () => {
    const e = await refusal(
      extract(
        tarball([
          { path: 'go/d/f', body: 'f' },
          { path: 'go/h', type: 'Link', linkpath: 'go/d' },
        ]),
      ),
    );
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toMatch(/not to a regular file/);
  });

  it('refuses hard links to absolute or outside targets', async () => {
    const secret = path.join(tmp, 'root', 'secret');
    mkdirSync(path.dirname(secret));
    writeFileSync(secret, 'secret');
    for (const linkpath of [secret, '../secret', 'go/../../secret']) {
      rmSync(dest, { recursive: true, force: true });
      const e = await refusal(
        extract(
          tarball([
            { path: 'go/h', type: 'Link', linkpath },
            { path: 'go/h2', body: 'x' },
          ]),
        ),
      );
      expect(e.code).toBe('E_UNSAFE_ARCHIVE');
      expect(e.message).toContain('"go/h"');
      expect(existsSync(path.join(dest, 'go', 'h'))).toBe(false);
      expect(statSync(secret).nlink).toBe(1);
    }
  });

  it('refuses a hard link whose target goes through a symlink', async () => {
    const e = await refusal(
      extract(
        tarball([
          { path: 'go/sub/f', body: 'f' },
          { path: 'go/s', type: 'SymbolicLink', linkpath: 'sub' },
          { path: 'go/h', type: 'Link', linkpath: 'go/s/f' },
        ]),
      ),
    );
    expect(e.message).toContain('"go/h"');
    expect(existsSync(path.join(dest, 'go', 'h'))).toBe(false);
  });

  it.each(['FIFO', 'CharacterDevice', 'BlockDevice'])('refuses a %s member', async (type) => {
    const e = await refusal(extract(tarball([{ path: 'go/dev', type }])));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('"go/dev"');
    expect(existsSync(path.join(dest, 'go', 'dev'))).toBe(false);
  });
});

describe('damaged archives and limits', () => {
  it('reports corrupt gzip, truncated gzip or tar, a bad tar header and empty input as E_BAD_ARCHIVE', async () => {
    const good = tarball([{ path: 'go/a', body: 'a'.repeat(100_000) }]);
    const flipped = Buffer.from(good);
    for (let i = 40; i < 60; i++) flipped[i] ^= 0xff;
    const tarBytes = Buffer.alloc(2048);
    tarBytes.write('go/a', 0); // a header block whose checksum is garbage
    for (const input of [
      Buffer.from('this is not gzip at all'),
      good.subarray(0, good.length - 30),
      flipped,
      gzipSync(tarBytes),
      gzipSync(gunzipSync(good).subarray(0, 5000)),
      Buffer.alloc(0),
    ]) {
      rmSync(dest, { recursive: true, force: true });
      const e = await refusal(extract(input));
      expect(e.code).toBe('E_BAD_ARCHIVE');
    }
  });

  it('stops at maxBytes from declared sizes before writing the member', async () => {
    const e = await refusal(
      extract(tarball([{ path: 'go/big', body: Buffer.alloc(200_000) }]), { maxBytes: 64 * 1024 }),
    );
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(existsSync(path.join(dest, 'go', 'big'))).toBe(false);
  });

  it('stops at maxBytes of decompressed output (a gzip bomb of padding)', async () => {
    const bomb = tarball([{ path: 'go/small', body: 'x' }], Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const e = await refusal(extract(bomb, { maxBytes: 1024 * 1024 }));
    expect(e.code).toBe('E_UNSAFE_ARCHIVE');
    expect(e.message).toContain('1048576');
  });

  it('abort() stops the extraction and end() rejects', async () => {
    const tgz = tarball([{ path: 'go/a', body: 'a'.repeat(1_000_000) }]);
    const ex = createExtractor(dest);
    ex.write(tgz.subarray(0, 100));
    ex.abort();
    ex.write(tgz.subarray(100)); // ignored
    const e = await refusal(ex.end());
    expect(e.code).toBe('E_ABORTED');
  });

  it('extractFile on a missing file is a GoarmError', async () => {
    const e = await extractFile(path.join(tmp, 'nope.tar.gz'), dest).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(GoarmError);
    expect((e as GoarmError).exitCode).toBe(ExitCode.FILESYSTEM);
  });

  it('hand-made test tarballs are real: GNU tar lists them', () => {
    const f = path.join(tmp, 'hand.tar.gz');
    writeFileSync(
      f,
      tarball([
        { path: 'go/a', body: 'a' },
        { path: 'go/l', type: 'SymbolicLink', linkpath: 'a' },
      ]),
    );
    expect(execFileSync('tar', ['-tzvf', f], { encoding: 'utf8' })).toMatch(/go\/a\n.*go\/l -> a\n/);
  });
});
