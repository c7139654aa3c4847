// Issue 12: outdated, upgrade, known-vulnerability warnings, `system`. Against the local release mirror and a local
// vulnerability database in vuln.go.dev's layout (test/helpers/vulndb.ts), built from OSV entries of the real shape.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, GOARM_BIN, REPO_ROOT, runNode } from '../helpers/cli.js';
import { fakeBin, fakeSysctl } from '../helpers/fakego.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { osv, startVulnDb } from '../helpers/vulndb.js';
import { type Env, exists, makeEnv, publish } from './install-fixture.js';

const ENTRIES = [
  osv({
    id: 'GO-2024-0001',
    ranges: [
      ['0', '1.21.2'],
      ['1.22.0-0', '1.22.3'],
    ],
    imports: ['net/http'],
  }),
  osv({ id: 'GO-2024-0002', module: 'toolchain', ranges: [['1.22.0-0', '1.22.2']], imports: ['cmd/go'] }),
  osv({ id: 'GO-2024-0003', ranges: [['1.23.0-0', '1.23.1']], imports: ['crypto/tls'] }),
  osv({ id: 'GO-2023-0004', ranges: [['0', '1.20.5']], imports: ['net/mail'] }),
];
const LINE_1221 =
  'go1.22.1: 2 known vulnerabilities (GO-2024-0002, GO-2024-0001), fixed in go1.22.3 — run: goarm upgrade 1.22';

let mirror: Mirror;
let key: TestKey;
let db: Awaited<ReturnType<typeof startVulnDb>>;
beforeAll(async () => {
  [mirror, key, db] = await Promise.all([startMirror(), makeKey(), startVulnDb(ENTRIES)]);
  for (const v of ['1.21.0', '1.21.2', '1.22.0', '1.22.1', '1.22.3', '1.23.0', '1.23.1']) await publish(mirror, key, v);
}, 60_000);
afterAll(async () => {
  await Promise.all([mirror?.close(), db?.close()]);
  await cleanupTempHomes();
});

const envWith = (url = db.url) => makeEnv(mirror, [key], { GOARM_VULNDB_URL: url });
const ok = async (env: Env, args: string[], extra: Record<string, string> = {}, cwd?: string) => {
  const r = cwd
    ? await runNode(GOARM_BIN, args, {
        home: env.home,
        cwd,
        env: { GOARM_VULNDB_URL: db.url, ...extra },
      })
    : await env.run(args, extra);
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
};
/** Makes goarm "see" a project the way a shim call does: the light entry writes its resolve cache. */
const seeProject = async (env: Env, dir: string) => {
  const r = await runNode(join(REPO_ROOT, 'dist', 'shim-entry.js'), ['shim-resolve', dir], {
    home: env.home,
    cwd: dir,
  });
  expect(r.code, r.stderr).toBe(0);
};

describe('outdated', () => {
  it('exits 0 when everything is current and the version has no known vulnerabilities', async () => {
    const env = await envWith();
    await ok(env, ['install', '1.23.1', '-q']);
    const r = await env.run(['outdated']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/installed\s+1\.23\.1\s+go1\.23\.1, newest patch/);
    expect(r.stdout).toContain('everything is current');
    expect(r.stdout).not.toContain('vulnerabilit');
  });

  it('reports patches behind, an unsupported minor, vulnerabilities, the default and project pins (11)', async () => {
    const env = await envWith();
    const install = await ok(env, ['install', '1.22.1', '1.21.0', '1.23.1']);
    expect(install.stderr).toContain(`warning: ${LINE_1221}`);
    await ok(env, ['default', '1.22.1']);
    const project = join(env.parent, 'proj');
    await mkdir(project);
    await writeFile(join(project, '.go-version'), '1.22.1\n');
    const before = db.requests.length;
    await seeProject(env, project);
    expect(db.requests.length, 'a shim call never reads the vulnerability database').toBe(before);

    const r = await env.run(['outdated']);
    expect(r.code, r.stderr).toBe(11);
    expect(r.stdout).toMatch(/installed\s+1\.22\.1\s+go1\.22\.1, → go1\.22\.3 available\n\s+go1\.22\.1: 2 known/);
    expect(r.stdout).toContain(LINE_1221);
    expect(r.stdout).toMatch(
      /installed\s+1\.21\.0\s+go1\.21\.0, → go1\.21\.2 available, go1\.21 unsupported since go1\.23\.0/,
    );
    expect(r.stdout).toContain('go1.21.0: 1 known vulnerability (GO-2024-0001), fixed in go1.21.2');
    expect(r.stdout).toMatch(/default\s+default\s+go1\.22\.1, → go1\.22\.3 available/);
    expect(r.stdout).toMatch(new RegExp(`project\\s+${join(project, '.go-version')}:1\\s+go1\\.22\\.1`));

    const j = await env.run(['outdated', '--json']);
    expect(j.code).toBe(11);
    const { rows, vulndb } = JSON.parse(j.stdout);
    expect(vulndb.url).toBe(db.url);
    const old = rows.find((x: any) => x.kind === 'installed' && x.version === '1.22.1');
    expect(old).toMatchObject({ newest: '1.22.3', behind: true, support: { minor: '1.22', supported: true } });
    expect(old.vulns).toMatchObject({ count: 2, ids: ['GO-2024-0002', 'GO-2024-0001'], fixedIn: '1.22.3' });
    expect(old.vulns.vulns).toEqual([
      expect.objectContaining({ id: 'GO-2024-0002', module: 'toolchain', packages: ['cmd/go'], fixed: '1.22.2' }),
      expect.objectContaining({ id: 'GO-2024-0001', module: 'stdlib', packages: ['net/http'], fixed: '1.22.3' }),
    ]);
    const unsupported = rows.find((x: any) => x.version === '1.21.0');
    expect(unsupported.support).toEqual({ minor: '1.21', supported: false, newest: '1.21.2', endedBy: '1.23.0' });
    expect(rows.find((x: any) => x.version === '1.23.1')).toMatchObject({ behind: false, vulns: { count: 0 } });

    // current and doctor name the same vulnerabilities for the Go in effect here.
    const cur = await ok(env, ['current'], {}, project);
    expect(cur.stdout).toContain('go1.22.1 (from');
    expect(cur.stderr).toContain(`warning: ${LINE_1221}`);
    const curJson = JSON.parse((await ok(env, ['current', '--json'], {}, project)).stdout);
    expect(curJson.vulnerabilities.ids).toEqual(['GO-2024-0002', 'GO-2024-0001']);
    expect(curJson.root).toBe(join(env.home, 'versions', '1.22.1'));
    expect((await ok(env, ['current', '--root'], {}, project)).stdout).toBe(
      `${join(env.home, 'versions', '1.22.1')}\n`,
    );
    const doc = JSON.parse(
      (
        await runNode(GOARM_BIN, ['doctor', '--json'], {
          home: env.home,
          cwd: project,
          env: { GOARM_VULNDB_URL: db.url },
        })
      ).stdout,
    );
    const check = doc.checks.find((c: any) => c.id === 'lifecycle.vulns');
    expect(check).toMatchObject({
      status: 'warn',
      fix: 'goarm upgrade 1.22',
      detail: { ids: ['GO-2024-0002', 'GO-2024-0001'] },
    });
  });
});

describe('the vulnerability cache', () => {
  it('revalidates with the ETag after the TTL, refetches nothing unchanged, works offline from the cache', async () => {
    const own = await startVulnDb(structuredClone(ENTRIES));
    try {
      const env = await envWith(own.url);
      const installed = JSON.parse((await ok(env, ['install', '1.22.1', '--json'])).stdout);
      expect(installed[0].vulnerabilities).toMatchObject({ count: 2, fixedIn: '1.22.3' });
      // The entries of the stdlib and toolchain modules only: never golang.org/x/net's.
      expect(own.requests.filter((p) => p.startsWith('/ID/')).sort()).toEqual(
        ENTRIES.map((e) => `/ID/${e.id}.json`).sort(),
      );
      const n = own.requests.length;
      await env.run(['outdated']); // within the TTL: no request at all
      expect(own.requests.length).toBe(n);
      await env.run(['outdated'], { GOARM_VULNDB_TTL_SECONDS: '0' });
      expect(own.requests.slice(n)).toEqual(['/index/db.json']); // 304: nothing else fetched
      // One entry changes upstream: db.json's `modified` moves, and only that entry is fetched again.
      own.entries[0] = { ...own.entries[0], modified: '2024-06-01T00:00:00Z', aliases: ['CVE-2024-0001'] };
      const m = own.requests.length;
      const changed = await env.run(['outdated', '--json'], { GOARM_VULNDB_TTL_SECONDS: '0' });
      expect(own.requests.slice(m)).toEqual(['/index/db.json', '/index/modules.json', '/ID/GO-2024-0001.json']);
      const row = JSON.parse(changed.stdout).rows.find((x: any) => x.version === '1.22.1');
      expect(row.vulns.vulns[1]).toMatchObject({ id: 'GO-2024-0001', aliases: ['CVE-2024-0001'] });
      await own.close();
      const off = await env.run(['outdated'], { GOARM_VULNDB_TTL_SECONDS: '0' });
      expect(off.code).toBe(11);
      expect(off.stdout).toContain(LINE_1221);
      expect(off.stderr).toMatch(/cannot update the vulnerability database .*; using the copy from 20\d\d-/);
    } finally {
      await own.close().catch(() => {});
    }
  });
});

describe('upgrade', () => {
  it('moves an exact default, lists pins, rewrites them with --pins keeping comments, prunes (--prune)', async () => {
    const env = await envWith();
    await ok(env, ['install', '1.22.1', '1.21.0', '-q']);
    await ok(env, ['default', '1.22.1']);
    const p1 = join(env.parent, 'p1');
    const p2 = join(env.parent, 'p2');
    await mkdir(p1);
    await mkdir(p2);
    const toml = '# team pin\ngo = "1.22.1" # security fixes come first\n\n[cgo]\nenabled = false\n';
    await writeFile(join(p1, '.goarm.toml'), toml);
    await writeFile(join(p2, '.go-version'), 'go1.22.1 # pinned\n');
    await ok(env, ['trust'], {}, p1);
    await seeProject(env, p2);

    const first = await ok(env, ['upgrade', '1.22']);
    expect(first.stdout).toContain('installed go1.22.3 (newest go1.22)');
    expect(first.stdout).toContain('default moved from go1.22.1 to go1.22.3');
    expect(first.stdout).toContain(`${join(p1, '.goarm.toml')}:2 still names go1.22.1: run with --pins`);
    expect(first.stdout).toContain(`${join(p2, '.go-version')}:1 still names go1.22.1`);
    expect(await readFile(join(env.home, 'config.toml'), 'utf8')).toMatch(/^default = "1\.22\.3"$/m);
    expect(await readFile(join(p1, '.goarm.toml'), 'utf8')).toBe(toml);

    const second = await ok(env, ['upgrade', '1.22', '--pins', '--prune', '--yes']);
    expect(second.stdout).toContain('go1.22.3 is the newest go1.22');
    expect(await readFile(join(p1, '.goarm.toml'), 'utf8')).toBe(toml.replace('"1.22.1"', '"1.22.3"'));
    expect(await readFile(join(p2, '.go-version'), 'utf8')).toBe('go1.22.3 # pinned\n');
    expect(second.stdout).toMatch(/remove\s+go1\.22\.1/);
    expect(second.stdout).toContain('removed go1.22.1');
    expect(await exists(join(env.home, 'versions', '1.22.1'))).toBe(false);
    expect(await exists(join(env.home, 'versions', '1.21.0'))).toBe(true); // not an upgraded minor

    // A spec default follows by itself and is left as written; --prune off a terminal removes nothing.
    await ok(env, ['default', '1.21']);
    const third = await ok(env, ['upgrade', '1.21', '--prune']);
    expect(third.stdout).toContain('default 1.21 now picks go1.21.2');
    expect(await readFile(join(env.home, 'config.toml'), 'utf8')).toMatch(/^default = "1\.21"$/m);
    expect(third.stdout).toContain('not a terminal, so nothing was removed');
    expect(await exists(join(env.home, 'versions', '1.21.0'))).toBe(true);

    const none = await env.run(['upgrade']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: name a minor to upgrade, or --all \[E_USAGE\]$/m);
  });
});

describe('mirror sync', () => {
  it('copies the database in vuln.go.dev layout; a machine without the server reads it from vulndb_url', async () => {
    const env = await envWith();
    const dir = join(env.parent, 'gomirror');
    const r = await ok(env, ['mirror', 'sync', dir, '1.23']);
    expect(r.stdout).toContain(`${dir}/vulndb: 4 Go vulnerability entries`);
    const modules = JSON.parse(await readFile(join(dir, 'vulndb', 'index', 'modules.json'), 'utf8'));
    expect(modules.map((m: any) => m.path)).toEqual(['stdlib', 'toolchain']);
    expect(JSON.parse(await readFile(join(dir, 'vulndb', 'index', 'db.json'), 'utf8')).modified).toBeTruthy();
    expect(JSON.parse(await readFile(join(dir, 'vulndb', 'ID', 'GO-2024-0002.json'), 'utf8'))).toEqual(ENTRIES[1]);

    const offline = await makeEnv(mirror, [key], { GOARM_VULNDB_URL: join(dir, 'vulndb') });
    await ok(offline, ['install', '--from', dir, '1.23.1', '-q']);
    await ok(offline, ['default', '1.22.1']);
    const out = await offline.run(['outdated']);
    expect(out.stdout).toContain(LINE_1221);
  });
});

describe('doctor: the PATH GUI apps see (macOS, simulated)', () => {
  it("warns when launchd's PATH lacks the shims and is ok when it has them", async () => {
    const env = await envWith();
    const bin = join(env.parent, 'macbin');
    await fakeSysctl(bin);
    const gui = async (launchdPath: string) => {
      await fakeBin(bin, 'launchctl', `[ "$1 $2" = "getenv PATH" ] && echo '${launchdPath}'`);
      const r = await env.run(['doctor', '--json'], { GOARM_SIMULATE_OS: 'darwin', PATH: `${bin}:/usr/bin:/bin` });
      return JSON.parse(r.stdout).checks.find((c: any) => c.id === 'lifecycle.gui-path');
    };
    const missing = await gui('/usr/bin:/bin');
    expect(missing).toMatchObject({ status: 'warn', message: expect.stringContaining('their PATH is /usr/bin:/bin') });
    expect(missing.fix).toContain('launchctl setenv PATH');
    expect(await gui(`${join(env.home, 'shims')}:/usr/bin:/bin`)).toMatchObject({ status: 'ok' });
    const linux = JSON.parse((await env.run(['doctor', '--json'])).stdout).checks;
    expect(linux.find((c: any) => c.id === 'lifecycle.gui-path').status).toBe('skip');
  });
});

describe('system', () => {
  const SYSTEM = '/usr/lib/go-1.19';
  it('is the first go on PATH outside the shims, with the guards applied', async () => {
    // Debian's golang-1.19-go; under CI=true its absence fails the test rather than skipping it.
    expect(await exists(join(SYSTEM, 'bin', 'go')), `${SYSTEM}/bin/go (apt-get install golang-1.19-go)`).toBe(true);
    const env = await envWith();
    await ok(env, ['shims']);
    const PATH = `${join(env.home, 'shims')}:${SYSTEM}/bin:/usr/bin:/bin`;
    const project = join(env.parent, 'sysproj');
    await mkdir(project);
    await writeFile(join(project, '.goarm.toml'), 'go = "system"\narch = "386"\n\n[cgo]\nenabled = false\n');
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runNode(GOARM_BIN, args, { home: env.home, cwd: project, env: { PATH, ...extra } });

    const cur = await run(['current']);
    expect(cur.stdout).toBe(`go1.19.8 (system: ${SYSTEM}) (from ${join(project, '.goarm.toml')}:1)\n`);
    expect((await run(['current', '--root'])).stdout).toBe(`${SYSTEM}\n`);
    expect((await run(['which', 'go'])).stdout).toBe(`${SYSTEM}/bin/go\n`);
    expect((await run(['list'])).stdout).toContain(`system (go1.19.8 at ${SYSTEM})`);

    // The shim runs the system go with GOROOT scrubbed, GOTOOLCHAIN=local, the project's GOARCH and [cgo].
    const { spawnSync } = await import('node:child_process');
    const shim = spawnSync(join(env.home, 'shims', 'go'), ['env', 'GOROOT', 'GOARCH', 'CGO_ENABLED'], {
      cwd: project,
      encoding: 'utf8',
      env: { PATH, HOME: env.parent, GOROOT: '/nonexistent', GOTOOLCHAIN: 'auto', GOARM_HOME: env.home },
    });
    expect(shim.stderr).toBe('');
    expect(shim.stdout).toBe(`${SYSTEM}\n386\n0\n`);
    // go1.19 predates GOTOOLCHAIN, so `go env` cannot show it: the resolve cache the shim sourced exports it.
    const cache = await readFile(join(env.home, 'cache', `resolve${project}`, '.goarm-shim-cache'), 'utf8');
    expect(cache).toContain(`_goarm_root='${SYSTEM}'`);
    expect(cache).toContain(`export GOTOOLCHAIN='local'`);

    const doc = JSON.parse((await run(['doctor', '--json'])).stdout);
    expect(doc.checks.find((c: any) => c.id === 'lifecycle.system')).toMatchObject({
      status: 'ok',
      detail: { root: SYSTEM, version: '1.19.8', arch: expect.stringMatching(/^(amd64|arm64)$/) },
    });

    // outdated judges the system Go like any other: go1.19 is long out of support.
    const old = await run(['outdated', '--json']);
    expect(old.code).toBe(11);
    expect(JSON.parse(old.stdout).rows).toContainEqual(
      expect.objectContaining({ kind: 'project', spec: 'system', version: '1.19.8', behind: true }),
    );

    // On (simulated) Apple Silicon the shim refuses a Rosetta-translated caller before running the system go too.
    const fake = await fakeSysctl(join(env.parent, 'fakebin'));
    const mac = await run(['shims'], { GOARM_SIMULATE_OS: 'darwin', PATH: `${fake}:${PATH}` });
    expect(mac.code, mac.stderr).toBe(0);
    const rosetta = spawnSync('dash', [join(env.home, 'shims', 'go'), 'version'], {
      cwd: project,
      encoding: 'utf8',
      env: { PATH: `${fake}:${PATH}`, HOME: env.parent, FAKE_TRANSLATED: '1' },
    });
    expect(rosetta.status).toBe(10);
    expect(rosetta.stderr).toMatch(/refusing to run go under Rosetta/);

    // Without a system go, `system` is a clear error, not a crash.
    const none = await run(['which', 'go'], { PATH: `${join(env.home, 'shims')}:/bin` });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/no system Go .*no go on PATH outside goarm's shims \[E_NOT_FOUND\]/);
  });
});
