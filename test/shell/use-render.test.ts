// `goarm use` as a command: which shell it renders for, that the init code is clean code in each shell even
// for a hostile GOARM_HOME path, and the version-switching code it prints without the shell function.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import { renderInit } from '../../src/shell/init.js';
import { cleanupTempHomes, GOARM_BIN, REPO_ROOT, runGoarm, tempHome } from '../helpers/cli.js';
import { fakeGoRoot, runShell } from '../helpers/fakego.js';
import { SHELLS } from './use-helpers.js';

afterAll(cleanupTempHomes);

let home: string;
beforeAll(async () => {
  home = await tempHome('goarm-render-');
  await fakeGoRoot(home, '1.22.5');
  await fakeGoRoot(home, '1.21.13');
  // Installed for another platform (`install --os darwin --arch amd64`): never what `use` picks here.
  await fakeGoRoot(home, '1.22.9-darwin-amd64');
});

describe("the launcher's `goarm use` (bin/goarm, no Node)", () => {
  const launcher = (h: string, args: string[]) =>
    spawnSync(join(REPO_ROOT, 'bin', 'goarm'), args, {
      encoding: 'utf8',
      env: { ...process.env, GOARM_HOME: h, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
    });
  const header = async (h: string, sh: string) =>
    (await readFile(join(h, 'init', `init.${sh}`), 'utf8')).split('\n')[0];

  it('prints a line sourcing the rendered init; a stale one goes to Node, which prints it and renders it', async () => {
    const h = await tempHome('goarm-launch-');
    expect((await runGoarm(['shims'], { home: h })).code).toBe(0);
    for (const sh of SHELLS) {
      const file = join(h, 'init', `init.${sh}`);
      const r = launcher(h, ['use', '--shell', sh]);
      expect(r.stdout).toBe(sh === 'fish' ? `source '${file}'\n` : `. '${file}'\n`);
      const current = await header(h, sh);
      await writeFile(file, `# goarm-init 0.0.0-old (rendered by goarm)\necho stale\n`);
      const stale = launcher(h, ['use', '--shell', sh]);
      expect(stale.stdout).toContain(`# goarm shell integration for ${sh}`);
      expect(stale.stdout).not.toContain('echo stale');
      expect(await header(h, sh)).toBe(current);
    }
  });

  it("prints the code itself when the init's path would need quoting", async () => {
    const h = join(await tempHome('goarm-launch-'), "it's");
    await mkdir(h);
    expect((await runGoarm(['shims'], { home: h })).code).toBe(0);
    const r = launcher(h, ['use', '--shell', 'bash']);
    expect(r.stdout).toContain('# goarm shell integration for bash');
  });
});

describe('the shell `goarm use` renders for', () => {
  it.each(SHELLS)('is the parent shell (%s) when run inside one, whatever $SHELL says', (sh) => {
    // As in the rc line: a command substitution, whose child (node) the shell forks.
    const cmd =
      sh === 'fish'
        ? `${process.execPath} ${GOARM_BIN} use | string collect`
        : `x=$(${process.execPath} ${GOARM_BIN} use) && printf '%s\n' "$x"`;
    const r = spawnSync(sh, sh === 'fish' ? ['--no-config', '-c', cmd] : ['-c', cmd], {
      encoding: 'utf8',
      env: { ...process.env, GOARM_HOME: home, SHELL: '/bin/sh', HOME: home },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`# goarm shell integration for ${sh}`);
  });

  it('falls back to $SHELL, and asks for --shell when neither is bash, zsh or fish', async () => {
    expect((await runGoarm(['use'], { home, env: { SHELL: '/usr/local/bin/fish' } })).stdout).toContain(
      '# goarm shell integration for fish',
    );
    const r = await runGoarm(['use'], { home, env: { SHELL: '/bin/sh' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot tell which shell this is');
    expect(r.stderr).toContain('pass --shell bash, --shell zsh or --shell fish');
  });
});

describe('the init code', () => {
  // Quotes, spaces, $ and backticks in GOARM_HOME must reach PATH literally and run nothing.
  const hostile = async () => {
    const dir = join(await tempHome('goarm-render-odd-'), `it's "$(touch pwned)" \`x\` $HOME`);
    await mkdir(join(dir, 'shims'), { recursive: true });
    return dir;
  };

  it.each(SHELLS)(
    'loads cleanly in %s, twice, with a hostile GOARM_HOME, leaving every @placeholder@ filled',
    async (sh) => {
      const dir = await hostile();
      const file = join(dir, '..', `init.${sh}`);
      const text = await renderInit(sh, goarmHome({ GOARM_HOME: dir }), { exportHome: true });
      expect(text).not.toMatch(/@[A-Z_]+@/);
      await writeFile(file, text);
      const show = sh === 'fish' ? 'printf "%s\\n" $PATH[1] $GOARM_HOME' : 'printf "%s\\n" "${PATH%%:*}" "$GOARM_HOME"';
      const script = `. '${file.replace(/'/g, `'\\''`)}'; . '${file.replace(/'/g, `'\\''`)}'; ${show}`;
      const argv =
        sh === 'fish' ? ['fish', '--no-config', '-c', script.replaceAll('. ', 'source ')] : [sh, '-c', script];
      const r = await runShell(argv, { cwd: join(dir, '..'), env: { HOME: join(dir, '..') } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${join(dir, 'shims')}\n${dir}\n`);
      for (const where of [dir, join(dir, '..')]) expect(existsSync(join(where, 'pwned'))).toBe(false);
    },
  );

  it('puts the bash hook first in PROMPT_COMMAND once, keeping what was there (string or array)', async () => {
    const file = join(await tempHome('goarm-render-pc-'), 'init.bash');
    await writeFile(file, await renderInit('bash', goarmHome({ GOARM_HOME: home })));
    const pc = async (before: string) =>
      (
        await runShell(['bash', '-c', `${before}\n. '${file}'\n. '${file}'\ndeclare -p PROMPT_COMMAND`], {
          cwd: home,
          env: {},
        })
      ).stdout.trim();
    expect(await pc('PROMPT_COMMAND="history -a"')).toBe('declare -- PROMPT_COMMAND="__goarm_hook;history -a"');
    expect(await pc('PROMPT_COMMAND=(starship_precmd "history -a")')).toBe(
      'declare -a PROMPT_COMMAND=([0]="__goarm_hook" [1]="starship_precmd" [2]="history -a")',
    );
    expect(await pc('unset PROMPT_COMMAND')).toBe('declare -- PROMPT_COMMAND="__goarm_hook;"');
  });

  it('is valid syntax in each shell (shellcheck for bash, zsh -n, fish --no-execute)', async () => {
    const h = goarmHome({ GOARM_HOME: home });
    const dir = await tempHome('goarm-render-lint-');
    for (const sh of SHELLS) await writeFile(join(dir, `init.${sh}`), await renderInit(sh, h));
    const sc = spawnSync('shellcheck', ['-s', 'bash', join(dir, 'init.bash')], { encoding: 'utf8' });
    if (sc.error) expect.fail('shellcheck is not installed (see .ci/run)');
    expect(sc.stdout + sc.stderr).toBe('');
    expect(spawnSync('zsh', ['-n', join(dir, 'init.zsh')], { encoding: 'utf8' })).toMatchObject({
      status: 0,
      stderr: '',
    });
    expect(spawnSync('fish', ['--no-execute', join(dir, 'init.fish')], { encoding: 'utf8' })).toMatchObject({
      status: 0,
      stderr: '',
    });
  });
});

describe('goarm use <version> without the shell function', () => {
  it('prints the code that switches a shell to the exact installed version, and says how to run it', async () => {
    const bash = await runGoarm(['use', '1.22', '--shell', 'bash'], { home });
    expect(bash).toMatchObject({ code: 0, stdout: "export GOARM_VERSION='1.22.5'\n" });
    expect(bash.stderr).toContain('`eval "$(goarm use 1.22 --shell bash)"` runs it');
    const fish = await runGoarm(['use', '1.21', '--shell', 'fish'], { home });
    expect(fish).toMatchObject({ code: 0, stdout: "set -gx GOARM_VERSION '1.21.13'\n" });
    expect(fish.stderr).toContain('`goarm use 1.21 --shell fish | source` runs it');
    expect(await runGoarm(['use', '--unset', '--shell', 'zsh'], { home })).toMatchObject({
      code: 0,
      stdout: 'unset GOARM_VERSION\n',
    });
    // What it prints works when evaluated.
    const r = await runShell(
      [
        'bash',
        '-c',
        `eval "$(${process.execPath} ${GOARM_BIN} use 1.22 --shell bash 2>/dev/null)"; echo "[$GOARM_VERSION]"`,
      ],
      { cwd: home, env: { GOARM_HOME: home } },
    );
    expect(r.stdout).toBe('[1.22.5]\n');
  });

  it('changes nothing and says how to install a version that is not installed (exit 4)', async () => {
    for (const spec of ['1.23', '1.22.9', '1.20.1']) {
      const r = await runGoarm(['use', spec, '--shell', 'bash'], { home });
      expect(r).toMatchObject({ code: 4, stdout: '' });
      expect(r.stderr).toContain(`no installed Go matches ${spec}; nothing was changed`);
      expect(r.stderr).toContain(`run: goarm install ${spec}`);
    }
  });

  it('rejects bad input with a usage error (exit 2)', async () => {
    for (const [args, words] of [
      [['use', 'banana', '--shell', 'bash'], 'invalid Go version "banana"'],
      [['use', '1.22', '--unset'], '--unset takes no version and no --global'],
      [['use', '--global'], '--global needs a version'],
      [['use', '--shell', 'tcsh'], 'Invalid values'],
    ] as const) {
      const r = await runGoarm([...args], { home });
      expect({ args, code: r.code, out: r.stdout }).toEqual({ args, code: 2, out: '' });
      expect(r.stderr).toContain(words);
    }
  });
});
