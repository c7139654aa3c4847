// `eval "$(goarm use)"` / `goarm use | source` in real interactive bash, zsh and fish (on a pty): PATH, the
// directory-following shims, the once-per-entry messages of the prompt hook, $? and no leaked variables.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { makeWorld, type World } from '../helpers/fakego.js';
import { initLine, SHELLS, type Shell, Term } from './use-helpers.js';

afterAll(cleanupTempHomes);

// Per shell: the same check in that shell's syntax.
const S = {
  path: { bash: 'echo "P=$PATH"', zsh: 'echo "P=$PATH"', fish: 'echo P=(string join : $PATH)' },
  status: { bash: 'echo "rc=$?"', zsh: 'echo "rc=$?"', fish: 'echo "rc=$status"' },
  exit3: { bash: '(exit 3)', zsh: '(exit 3)', fish: "sh -c 'exit 3'" },
  leaks: {
    bash: 'echo "L=[$(compgen -v _goarm)] T=${GOTOOLCHAIN-unset} F=${GOFLAGS-unset}"',
    zsh: 'echo "L=[${(k)parameters[(I)_goarm*]}] T=${GOTOOLCHAIN-unset} F=${GOFLAGS-unset}"',
    fish:
      'set -l l (set -n | string match "_goarm*"); ' +
      'echo "L=[$l] T=$(set -q GOTOOLCHAIN; and echo $GOTOOLCHAIN; or echo unset) ' +
      'F=$(set -q GOFLAGS; and echo $GOFLAGS; or echo unset)"',
  },
  version: {
    bash: 'echo "V=[${GOARM_VERSION-}]"',
    zsh: 'echo "V=[${GOARM_VERSION-}]"',
    fish: 'echo "V=[$GOARM_VERSION]"',
  },
} satisfies Record<string, Record<Shell, string>>;

const count = (text: string, needle: string) => text.split(needle).length - 1;

async function world(): Promise<World> {
  const w = await makeWorld({ versions: ['1.21.13', '1.22.5', '1.23.4'], default: '1.23' });
  await w.files('p21', { '.go-version': '1.21\n' });
  await w.files('p22', { '.goarm.toml': 'go = "1.22"\n' });
  await w.files('p19', { '.goarm.toml': 'go = "1.19"\n', 'sub/x.go': 'package x\n' });
  await w.files('untrusted', { '.goarm.toml': 'go = "1.22"\n\n[env]\nGOFLAGS = "-mod=vendor"\n' });
  await w.settle();
  return w;
}

async function shell(shell: Shell, w: World, rc = `${initLine(shell)}\n${initLine(shell)}`): Promise<Term> {
  return Term.start(shell, { home: await tempHome('goarm-use-home-'), rc, env: { GOARM_HOME: w.home }, cwd: w.base });
}

describe.each(SHELLS)('%s with the goarm init loaded (twice)', (sh) => {
  let w: World;
  let t: Term;
  beforeAll(async () => {
    w = await world();
    t = await shell(sh, w);
  });
  afterAll(async () => t?.close());

  it('puts the shims first on PATH exactly once, then bin/ (the launcher `goarm shims` wrote)', async () => {
    const path = /P=(\/\S*)/.exec(await t.run(S.path[sh]))![1].split(':');
    expect(path.slice(0, 2)).toEqual([join(w.home, 'shims'), join(w.home, 'bin')]);
    expect(path.filter((p) => p === join(w.home, 'shims'))).toHaveLength(1);
    // Loading it a third time, by hand, changes nothing either.
    await t.run(initLine(sh));
    expect(
      /P=(\/\S*)/
        .exec(await t.run(S.path[sh]))![1]
        .split(':')
        .filter((p) => p.endsWith('/shims')),
    ).toHaveLength(1);
  });

  it("runs each project's Go after cd, and the default elsewhere", async () => {
    expect(await t.run(`cd ${w.dir('p21')}\ngo version`)).toMatch(/go=1\.21\.13 /);
    expect(await t.run(`cd ${w.dir('p22')}\ngo version`)).toMatch(/go=1\.22\.5 /);
    expect(await t.run(`cd ${w.base}\ngo version`)).toMatch(/go=1\.23\.4 /);
    expect(await t.run(`cd ${w.dir('p21')}\ngofmt -l`)).toMatch(/gofmt=1\.21\.13 /);
  });

  it("says once per entry that a project's version is not installed, with the install command", async () => {
    const line = `goarm: go1.19 (from ${w.dir('p19')}/.goarm.toml:1) is not installed; run: goarm install 1.19`;
    expect(count(await t.run(`cd ${w.dir('p19')}`), line)).toBe(1);
    expect(await t.run('true\ntrue')).not.toContain('is not installed');
    expect(await t.run('cd sub')).not.toContain('is not installed'); // same project, same verdict
    expect(await t.run(`cd ${w.base}`)).not.toContain('is not installed');
    expect(count(await t.run(`cd ${w.dir('p19')}/sub`), line)).toBe(1); // entered again
    expect(await t.run('go version')).toContain(line); // the shim refuses, with the same words
  });

  it("suggests `goarm trust` once when a project's [env] is ignored, and exports nothing itself", async () => {
    const out = await t.run(`cd ${w.dir('untrusted')}`);
    expect(
      count(
        out,
        `goarm: ignoring env.GOFLAGS from ${w.dir('untrusted')}/.goarm.toml until you run \`goarm trust\` there`,
      ),
    ).toBe(1);
    expect(await t.run('true')).not.toContain('goarm trust');
    // The hook sourced the cache with _goarm_hook set: no _goarm_* variable, no GOTOOLCHAIN export, no [env].
    expect(await t.run(S.leaks[sh])).toMatch(/L=\[\] T=unset F=unset/);
  });

  it('keeps the exit status of the last command across the hook', async () => {
    expect(await t.run(`cd ${w.dir('p22')}\nfalse\n${S.status[sh]}`)).toMatch(/rc=1/);
    expect(await t.run(`cd ${w.dir('p19')}\n${S.exit3[sh]}\n${S.status[sh]}`)).toMatch(/rc=3/);
  });
});

describe.each(SHELLS)('%s: goarm use <version>', (sh) => {
  let w: World;
  const terms: Term[] = [];
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await Promise.all(terms.map((t) => t.close()));
  });

  it('switches only the current shell to the exact installed version, until --unset', async () => {
    const [a, b] = await Promise.all([shell(sh, w), shell(sh, w)]);
    terms.push(a, b);
    expect(await a.run('goarm use 1.22')).toContain('goarm: using go1.22.5 in this shell');
    expect(await a.run(S.version[sh])).toContain('V=[1.22.5]'); // exact: the shim takes it as a directory name
    expect(await a.run(`cd ${w.dir('p21')}\ngo version`)).toMatch(/go=1\.22\.5 /);
    expect(await b.run(`cd ${w.dir('p21')}\ngo version`)).toMatch(/go=1\.21\.13 /);
    expect(await b.run(S.version[sh])).toContain('V=[]');
    // A project pinned to a version that is not installed: this shell uses 1.22.5 there, so no complaint.
    expect(await a.run(`cd ${w.dir('p19')}`)).not.toContain('is not installed');
    expect(await a.run('go version')).toMatch(/go=1\.22\.5 /);
    expect(await b.run(`cd ${w.dir('p19')}`)).toContain('is not installed');
    await a.run(`cd ${w.dir('p21')}`);

    expect(await a.run('goarm use 1.19')).toMatch(
      /no installed Go matches 1\.19; nothing was changed[\s\S]*run: goarm install 1\.19/,
    );
    expect(await a.run(S.version[sh])).toContain('V=[1.22.5]');
    expect(await a.run('goarm use 1.22.4')).toContain('run: goarm install 1.22.4'); // exact specs stay exact
    expect(await a.run(S.version[sh])).toContain('V=[1.22.5]');

    expect(await a.run('goarm use --unset')).toContain('per-directory Go versions again');
    expect(await a.run(S.version[sh])).toContain('V=[]');
    expect(await a.run('go version')).toMatch(/go=1\.21\.13 /);
  });

  it('--global sets the default for every shell and leaves this one per-directory', async () => {
    const t = await shell(sh, w);
    terms.push(t);
    expect(await t.run('goarm use 1.21 --global')).toContain('default set to go 1.21');
    expect(await readFile(join(w.home, 'config.toml'), 'utf8')).toMatch(/^default = "1\.21"$/m);
    expect(await t.run(S.version[sh])).toContain('V=[]');
    expect(await t.run(`cd ${w.base}\ngo version`)).toMatch(/go=1\.21\.13 /);
    expect(await t.run('goarm use 1.30 --global')).toContain(
      'no installed version matches 1.30; run: goarm install 1.30',
    );
  });

  it('passes other commands and --help straight to the CLI', async () => {
    const t = await shell(sh, w);
    terms.push(t);
    const list = await t.run('goarm list');
    for (const v of ['1.21.13', '1.22.5', '1.23.4']) expect(list).toContain(v);
    expect(await t.run('goarm use --help')).toContain('switch this shell to an installed Go version');
    expect(await t.run(S.version[sh])).toContain('V=[]');
  });
});
