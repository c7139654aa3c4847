// The prompt hook with auto_install = true: entering a project whose version is not installed installs it (a real,
// signed install from a local mirror) instead of printing the "not installed" line. With auto_install off, the hook
// only says how to install it and installs nothing.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { makeKey, type TestKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { publish } from '../integration/install-fixture.js';
import { initLine, Term } from './use-helpers.js';

let mirror: Mirror;
let key: TestKey;
beforeAll(async () => {
  mirror = await startMirror();
  key = await makeKey();
  await publish(mirror, key, '1.23.4');
  await publish(mirror, key, '1.23.2');
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

async function setup(autoInstall: boolean) {
  const base = await tempHome('goarm-auto-');
  const home = join(base, 'home');
  const keyFile = await writeKeyFile(join(base, 'keys'), key);
  await writeTrustConfig(home, {
    indexUrl: mirror.indexUrl,
    downloadBase: mirror.downloadBase,
    keyFiles: [keyFile],
    extra: { auto_install: autoInstall },
  });
  const r = await runGoarm(['shims'], { home });
  expect(r.code).toBe(0);
  const project = join(base, 'project');
  await mkdir(project);
  await writeFile(join(project, '.goarm.toml'), 'go = "1.23"\n');
  return { base, home, project };
}

describe.each(['bash', 'fish'] as const)('%s hook entering a project whose Go is not installed', (sh) => {
  const terms: Term[] = [];
  afterAll(async () => {
    await Promise.all(terms.map((t) => t.close()));
  });

  it('installs it when auto_install = true', { timeout: 120_000 }, async () => {
    const { base, home, project } = await setup(true);
    const t = await Term.start(sh, {
      home: base,
      rc: initLine(sh),
      env: { GOARM_HOME: home, GOARM_RETRY_DELAY_MS: '10' },
      cwd: base,
    });
    terms.push(t);
    const out = await t.run(`cd ${project}`, 90_000);
    expect(out).toContain(`goarm: installing go1.23 for ${project} (auto_install = true)`);
    expect(out).not.toContain('is not installed');
    expect(await readdir(join(home, 'versions'))).toEqual(['1.23.4']);
    expect(await t.run('true')).not.toContain('installing'); // once
  });

  it('only says how to install it when auto_install = false', { timeout: 120_000 }, async () => {
    const { base, home, project } = await setup(false);
    const t = await Term.start(sh, { home: base, rc: initLine(sh), env: { GOARM_HOME: home }, cwd: base });
    terms.push(t);
    const served = mirror.bytesServed('.tar.gz');
    const out = await t.run(`cd ${project}`);
    expect(out).toContain(`goarm: go1.23 (from ${project}/.goarm.toml:1) is not installed; run: goarm install 1.23`);
    expect(await readdir(join(home, 'versions')).catch(() => [])).toEqual([]);
    expect(mirror.bytesServed('.tar.gz')).toBe(served);
  });
});
