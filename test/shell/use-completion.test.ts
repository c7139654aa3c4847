// Tab completion for bash, zsh and fish, typed with a real TAB in interactive shells (fish: its own engine via
// `complete -C`): commands, installed versions, remote versions from the cached index only, options. Plus the
// check that the completion table matches the CLI's own commands and options.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import { writeIndexCache } from '../../src/install/release-index.js';
import { COMPLETION_COMMANDS } from '../../src/shell/completion.js';
import { cleanupTempHomes, REPO_ROOT, runGoarm, runNode, tempHome } from '../helpers/cli.js';
import { makeWorld, type World } from '../helpers/fakego.js';
import { initLine, type Shell, Term } from './use-helpers.js';

afterAll(cleanupTempHomes);
const terms: Term[] = [];
afterEach(async () => {
  await Promise.all(terms.splice(0).map((t) => t.close()));
});

/** The index cache as `ls-remote` leaves it (its URL unreachable: completion must not fetch). */
async function cacheIndex(home: string, versions: string[]) {
  const releases = versions.map((v) => ({ version: v, stable: !/rc|beta/.test(v), files: [] }));
  await writeIndexCache(goarmHome({ GOARM_HOME: home }), 'http://127.0.0.1:9/unreachable', releases, { etag: '"x"' });
}

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.21.13', '1.22.5'], default: '1.22' });
  await cacheIndex(w.home, ['1.24rc1', '1.23.4', '1.23.3', '1.22.5']);
});

async function shell(sh: Shell, rcBefore = '', rcAfter = ''): Promise<Term> {
  const t = await Term.start(sh, {
    home: await tempHome('goarm-compl-home-'),
    rc: `${rcBefore}\n${initLine(sh)}\n${rcAfter}`,
    env: { GOARM_HOME: w.home },
  });
  terms.push(t);
  return t;
}

describe('the completion table', () => {
  it("names every command of `goarm --help` (options come from each command's --help at TAB time)", async () => {
    const help = await runGoarm(['--help'], { home: w.home });
    const commands = [...help.stdout.matchAll(/^ {2}goarm ([a-z-]+)/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(10);
    expect(COMPLETION_COMMANDS.map((c) => c.name).sort()).toEqual([...commands].sort());
  });

  it('offers remote versions from the cached index only, and nothing without one', async () => {
    const r = await runNode(join(REPO_ROOT, 'dist', 'shim-entry.js'), ['complete', 'remote'], { home: w.home });
    expect(r).toMatchObject({ code: 0, stdout: '1.24rc1\n1.23.4\n1.23.3\n1.22.5\n' });
    const empty = await runNode(join(REPO_ROOT, 'dist', 'shim-entry.js'), ['complete', 'remote'], {
      home: await tempHome(),
    });
    expect(empty).toMatchObject({ code: 0, stdout: '' });
  });

  it('`goarm completion <shell>` prints the script alone', async () => {
    for (const sh of ['bash', 'zsh', 'fish']) {
      const r = await runGoarm(['completion', sh], { home: w.home });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(sh === 'fish' ? 'complete -c goarm' : '_goarm');
      expect(r.stdout).not.toContain('__goarm_hook');
    }
  });
});

describe('bash', () => {
  it('completes commands, installed versions for use, remote ones for install, and options', async () => {
    const t = await shell('bash');
    await t.type('goarm us\t', /goarm use $/m);
    await t.interrupt();
    await t.type('goarm use 1.2\t\t', /1\.21\.13\s+1\.22\.5/);
    await t.interrupt();
    await t.type('goarm install 1.24\t', /goarm install 1\.24rc1 $/m);
    await t.interrupt();
    await t.type('goarm install 1.23.\t\t', /1\.23\.3\s+1\.23\.4/);
    await t.interrupt();
    await t.type('goarm use --g\t', /goarm use --global $/m);
    await t.interrupt();
    await t.type('goarm install --sk\t', /goarm install --skip-signature $/m); // read from `install --help`
    await t.interrupt();
  });
});

describe('zsh', () => {
  it('completes the same once compinit ran before the init', async () => {
    const t = await shell('zsh', 'autoload -Uz compinit && compinit -u');
    await t.type('goarm us\t', /goarm use $/m);
    await t.interrupt();
    await t.type('goarm uninstall 1.21\t', /goarm uninstall 1\.21\.13 $/m);
    await t.interrupt();
    await t.type('goarm install 1.24\t', /goarm install 1\.24rc1 $/m);
    await t.interrupt();
    await t.type('goarm use --u\t', /goarm use --unset $/m);
    await t.interrupt();
  });

  it('registers at the first prompt when compinit runs after the init', async () => {
    const t = await shell('zsh', '', 'autoload -Uz compinit && compinit -u');
    await t.type('goarm uninstall 1.22\t', /goarm uninstall 1\.22\.5 $/m);
    await t.interrupt();
  });
});

describe('fish', () => {
  it('completes commands, installed versions for use, remote ones for install, and options', async () => {
    const t = await shell('fish');
    expect(await t.run("complete -C 'goarm us' | string replace -r '\\t.*' '' | string join ,")).toContain('use');
    const use = await t.run("complete -C 'goarm use ' | string join ,");
    expect(use).toMatch(/1\.21\.13,1\.22\.5/);
    expect(use).not.toContain('1.23.4');
    const install = await t.run("complete -C 'goarm install 1.2' | string join ,"); // fish sorts them
    expect(install).toMatch(/1\.22\.5,1\.23\.3,1\.23\.4,1\.24rc1/);
    expect(await t.run("complete -C 'goarm use --' | string replace -r '\\t.*' '' | string join ,")).toMatch(
      /--global.*--unset/,
    );
  });
});
