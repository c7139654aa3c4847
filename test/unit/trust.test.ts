import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoarmError } from '../../src/core/errors.js';
import { goarmHome, type Home } from '../../src/core/home.js';
import { isTrusted, listTrusted, trust, trustRecord, untrust } from '../../src/select/trust.js';

let root: string;
let home: Home;
let file: string;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'goarm-trust-')));
  home = goarmHome({ GOARM_HOME: join(root, 'home') });
  await mkdir(join(root, 'proj'));
  file = join(root, 'proj/.goarm.toml');
  await writeFile(file, '[env]\nGOFLAGS = "-trimpath"\n');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('trust', () => {
  it('is false until trusted, then true for exactly that content', async () => {
    const text = await readFile(file, 'utf8');
    expect(await isTrusted(home, file, text)).toBe(false);
    expect(await trust(home, file)).toBe(file);
    expect(await isTrusted(home, file, text)).toBe(true);
    expect(await isTrusted(home, file, Buffer.from(text))).toBe(true);
    expect(await isTrusted(home, file, text + '\n')).toBe(false);
    // same content elsewhere: not trusted
    expect(await isTrusted(home, join(root, 'other/.goarm.toml'), text)).toBe(false);
  });

  it('stores one record named by the sha256 of the path, holding "<content sha256>\\t<path>"', async () => {
    await trust(home, file);
    expect(await readdir(home.trust)).toEqual([sha(file)]);
    expect(await trustRecord(home, file)).toBe(join(home.trust, sha(file)));
    expect(await readFile(join(home.trust, sha(file)), 'utf8')).toBe(`${sha(await readFile(file, 'utf8'))}\t${file}`);
    await trust(home, file); // idempotent, no temp debris
    expect(await readdir(home.trust)).toEqual([sha(file)]);
  });

  it('follows symlinks to the real file, so a linked checkout shares the trust', async () => {
    await symlink(join(root, 'proj'), join(root, 'link'));
    await trust(home, join(root, 'link/.goarm.toml'));
    expect(await isTrusted(home, file, await readFile(file))).toBe(true);
  });

  it('lists trusted files and whether they changed since', async () => {
    expect(await listTrusted(home)).toEqual([]);
    const second = join(root, 'proj2.toml');
    await writeFile(second, 'go = "1.22"\n');
    await trust(home, file);
    await trust(home, second);
    await writeFile(join(home.trust, 'README'), 'not a record'); // foreign files are skipped
    await writeFile(file, '[env]\nGOFLAGS = "-toolexec=/tmp/x"\n');
    expect(await listTrusted(home)).toEqual([
      { path: file, current: false },
      { path: second, current: true },
    ]);
    await rm(second);
    expect((await listTrusted(home)).find((t) => t.path === second)).toEqual({ path: second, current: false });
  });

  it('untrust removes the record and says whether there was one', async () => {
    await trust(home, file);
    expect(await untrust(home, file)).toBe(true);
    expect(await isTrusted(home, file, await readFile(file))).toBe(false);
    expect(await untrust(home, file)).toBe(false);
  });

  it('trusting a missing file is a clear E_NOT_FOUND', async () => {
    const e = await trust(home, join(root, 'nope/.goarm.toml')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GoarmError);
    expect((e as GoarmError).code).toBe('E_NOT_FOUND');
    expect((e as GoarmError).exitCode).toBe(4);
  });
});
