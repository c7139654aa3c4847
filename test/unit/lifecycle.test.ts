// The pure parts of issue 12: Go versions in the vulnerability database's semver form, OSV range evaluation, and
// support status from a release index.
import { describe, expect, it } from 'vitest';
import type { Release } from '../../src/install/release-index.js';
import { supportOf } from '../../src/lifecycle/support.js';
import type { OsvEntry } from '../../src/lifecycle/vulndb.js';
import { compareSemver, describeVulns, goToSemver, semverToGo, vulnsOf } from '../../src/lifecycle/vulns.js';

describe('Go versions as the vulnerability database writes them', () => {
  it.each([
    ['1.22.1', '1.22.1'],
    ['1.19', '1.19.0'],
    ['1.21rc2', '1.21.0-rc.2'],
    ['1.21.0', '1.21.0'],
  ])('%s ↔ %s', (go, semver) => {
    expect(goToSemver(go)).toBe(semver);
    expect(semverToGo(semver)).toBe(go === '1.19' ? '1.19.0' : go);
  });

  it('orders by semver precedence, "0" and "-0" included', () => {
    const sorted = ['1.22.0', '1.21.9', '0', '1.22.0-0', '1.22.0-rc.1', '1.22.0-rc.10', '1.22.0-rc.2', '1.22.1'];
    expect(sorted.sort(compareSemver)).toEqual([
      '0',
      '1.21.9',
      '1.22.0-0',
      '1.22.0-rc.1',
      '1.22.0-rc.2',
      '1.22.0-rc.10',
      '1.22.0',
      '1.22.1',
    ]);
  });
});

const entry = (id: string, events: { introduced?: string; fixed?: string }[], name = 'stdlib'): OsvEntry => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [
    {
      package: { name, ecosystem: 'Go' },
      ranges: [{ type: 'SEMVER', events }],
      ecosystem_specific: { imports: [{ path: 'net/http' }] },
    },
  ],
});

describe('vulnsOf', () => {
  const db = [
    entry('GO-2024-0001', [{ introduced: '0' }, { fixed: '1.21.9' }, { introduced: '1.22.0-0' }, { fixed: '1.22.2' }]),
    entry('GO-2024-0002', [{ introduced: '1.22.0-0' }]), // never fixed
    entry('GO-2024-0003', [{ introduced: '0' }, { fixed: '1.22.0' }], 'golang.org/x/net'), // not Go itself
  ];

  it('counts [introduced, fixed) ranges, prereleases included', () => {
    expect(vulnsOf('1.21.8', db)).toMatchObject({ count: 1, ids: ['GO-2024-0001'], fixedIn: '1.21.9' });
    expect(vulnsOf('1.21.9', db).count).toBe(0);
    expect(vulnsOf('1.22rc1', db).ids).toEqual(['GO-2024-0002', 'GO-2024-0001']);
  });

  it('has no fix in the minor when one vulnerability is never fixed there', () => {
    const r = vulnsOf('1.22.1', db);
    expect(r.fixedIn).toBeUndefined();
    expect(describeVulns(r)).toBe(
      'go1.22.1: 2 known vulnerabilities (GO-2024-0002, GO-2024-0001), ' +
        'not all fixed in go1.22: move to a supported minor (goarm install latest)',
    );
  });
});

describe('supportOf', () => {
  const rel = (version: string, stable = true): Release => ({ version, stable, files: [] });
  const index = ['1.24rc1', '1.23.0', '1.23.2', '1.22.0', '1.22.5', '1.21.0', '1.21.13'].map((v) =>
    rel(v, !v.includes('rc')),
  );

  it('supports the two newest minors with a stable release; a prerelease does not count', () => {
    expect(supportOf('1.23.0', index)).toEqual({ minor: '1.23', supported: true, newest: '1.23.2' });
    expect(supportOf('1.22.1', index)).toEqual({ minor: '1.22', supported: true, newest: '1.22.5' });
  });

  it('names the release that ended support', () => {
    expect(supportOf('1.21.3', index)).toEqual({
      minor: '1.21',
      supported: false,
      newest: '1.21.13',
      endedBy: '1.23.0',
    });
  });
});

describe('system', () => {
  it('is the first go on PATH that is not a goarm shim, its root and VERSION; .tool-versions may name it', async () => {
    const { mkdir, mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { goarmHome } = await import('../../src/core/home.js');
    const { resolveDir } = await import('../../src/select/resolve.js');
    const base = await mkdtemp(join(tmpdir(), 'goarm-system-'));
    try {
      const home = goarmHome({ GOARM_HOME: join(base, 'home') });
      const exe = async (file: string, text: string) => {
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(file, text, { mode: 0o755 });
      };
      await exe(join(home.shims, 'go'), '#!/bin/sh\n# goarm shim for go\n');
      await exe(join(base, 'other-home', 'shims', 'go'), '#!/bin/sh\n# goarm shim for go (another GOARM_HOME)\n');
      await exe(join(base, 'sys', 'bin', 'go'), '#!/bin/sh\n');
      await writeFile(join(base, 'sys', 'VERSION'), 'go1.20.3\ntime 2023-04-04\n');
      await exe(join(base, 'later', 'bin', 'go'), '#!/bin/sh\n');
      await mkdir(join(base, 'p'));
      await writeFile(join(base, 'p', '.tool-versions'), 'golang system\n');
      const PATH = [home.shims, 'relative/bin', join(base, 'other-home', 'shims'), join(base, 'sys', 'bin')]
        .concat(join(base, 'later', 'bin'))
        .join(':');
      const global = { indexUrl: '', downloadBase: '', trustedKeys: [], autoInstall: false, vulndbUrl: '', path: '' };
      const r = await resolveDir(join(base, 'p'), { home, env: { PATH }, installed: [], global, hostArch: 'amd64' });
      expect(r).toMatchObject({
        spec: 'system',
        version: 'system',
        root: join(base, 'sys'),
        systemVersion: '1.20.3',
        env: { GOTOOLCHAIN: 'local' },
      });
      expect(r.readFiles).toContain(join(base, 'sys', 'bin', 'go'));
      const none = await resolveDir(join(base, 'p'), {
        home,
        env: { PATH: home.shims },
        installed: [],
        global,
        hostArch: 'amd64',
      });
      expect(none).toMatchObject({ version: undefined, installSpec: 'system' });
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
