// goarm as users get it. A clean clone of this repository (its committed HEAD) is packed with `npm pack` (prepack
// builds dist/ and the prebuilt native helper; the clone's node_modules is a hard-linked copy of ours, as `npm ci`
// would need the network). Then, with npm pointed at a dead registry so that nothing can be fetched by accident:
//   - the tarball installed into an empty prefix runs, installs the real Go from a signed local mirror, and a shim
//     in a fresh directory runs it with no `goarm default` step; after `npm uninstall -g` a shim says so in one line;
//   - the tarball published to a real verdaccio (started here on 127.0.0.1, port 0, throw-away storage) is
//     installed by install.sh piped into sh from an empty directory and from a Node project (neither is touched;
//     the project's scripts never run), new bash/zsh/fish with the rc line start no Node (strace), an upgrade to a
//     republished 0.1.1 says "upgraded", and the shells then load 0.1.1's init; `self uninstall --yes` removes
//     GOARM_HOME and exactly the rc lines install.sh added.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror } from '../helpers/mirror.js';
import { type RealGo, realGoMirror } from '../helpers/realgo.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sh -c cmd` with exactly `env` (plus a PATH with this node), killed after 4 minutes. */
function sh(cmd: string, opts: { cwd: string; env: Record<string, string>; input?: string }): Promise<Result> {
  return new Promise((ok, fail) => {
    const child = spawn('sh', ['-c', cmd], { cwd: opts.cwd, env: { PATH: BASE_PATH, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ok({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr });
    });
  });
}

const BASE_PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
const DEAD_REGISTRY = 'http://127.0.0.1:9/'; // nothing listens on the discard port: any fetch fails at once

/** npm's settings for a test user: its own cache and rc file, no update check, no audit. */
const npmEnv = (home: string, registry: string) => ({
  HOME: home,
  npm_config_registry: registry,
  npm_config_cache: join(home, '.npm-cache'),
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  NO_COLOR: '1',
});

/** Every path under dir with its size and mtime: "untouched" means this is equal before and after. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const s = await stat(p);
      out.push(`${p} ${s.size} ${s.mtimeMs}`);
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

let clone: string;
let tgz: string;
let go: RealGo;
let mirror: Mirror;
let keyFile: string;

/** Packs the clone; the tarball lands in a directory of its own. */
async function pack(): Promise<string> {
  const dest = await tempHome('goarm-dist-tgz-');
  const r = await sh(`npm pack --silent --pack-destination '${dest}'`, {
    cwd: clone,
    env: npmEnv(await tempHome('goarm-dist-packer-'), DEAD_REGISTRY),
  });
  expect(r.code, r.stderr).toBe(0);
  return join(dest, r.stdout.trim().split('\n').pop()!);
}

beforeAll(async () => {
  clone = join(await tempHome('goarm-dist-clone-'), 'goarm');
  const c = await sh(`git clone -q --no-hardlinks '${REPO_ROOT}' '${clone}'`, { cwd: REPO_ROOT, env: {} });
  expect(c.code, c.stderr).toBe(0);
  // Hard links (a copy across filesystems): npm bundles only the top level of a symlinked node_modules.
  const nm = await sh(
    `cp -al '${REPO_ROOT}/node_modules' node_modules || cp -R '${REPO_ROOT}/node_modules' node_modules`,
    {
      cwd: clone,
      env: {},
    },
  );
  expect(nm.code, nm.stderr).toBe(0);
  tgz = await pack();
  let key;
  ({ go, mirror, key } = await realGoMirror());
  keyFile = await writeKeyFile(await tempHome('goarm-dist-keys-'), key);
}, 600_000);
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('the packed package', () => {
  it('holds what goarm needs at run time, and no install script', async () => {
    const list = await sh(`tar -tzf '${tgz}'`, { cwd: REPO_ROOT, env: {} });
    const files = list.stdout.split('\n');
    for (const f of [
      'dist/cli.js',
      'dist/shim-entry.js',
      'bin/goarm',
      'shims/launcher.sh',
      'shims/init.zsh',
      'LICENSE',
    ])
      expect(files).toContain(`package/${f}`);
    expect(files).toContain('package/keys/google-linux-packages-signing-key.asc');
    // Bundled with their own dependencies (yargs needs cliui): nothing is fetched at install time.
    for (const dep of ['undici', 'openpgp', 'tar', 'yargs', 'cliui', 'smol-toml'])
      expect(files).toContain(`package/node_modules/${dep}/package.json`);
    if (process.platform === 'linux' && process.arch === 'x64')
      expect(files).toContain('package/prebuilds/linux-x64/node.napi.node');
    expect(files.filter((f) => f.startsWith('package/src/') || f.includes('binding.gyp'))).toEqual([]);
    const pkg = JSON.parse((await sh(`tar -xzOf '${tgz}' package/package.json`, { cwd: REPO_ROOT, env: {} })).stdout);
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s]).toBeUndefined();
  });

  it('installs into an empty prefix with no registry; installs Go; a shim runs it in a fresh directory', async () => {
    const user = await realpath(await tempHome('goarm-dist-npm-'));
    const prefix = join(user, 'prefix');
    const env = { ...npmEnv(user, DEAD_REGISTRY), PATH: `${prefix}/bin:${BASE_PATH}` };
    const i = await sh(`npm install -g --prefix '${prefix}' '${tgz}'`, { cwd: user, env });
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout + i.stderr).not.toMatch(/warn|error|gyp|allowScripts/i);
    expect(await sh('goarm --version', { cwd: user, env })).toMatchObject({ code: 0, stdout: '0.1.0\n' });

    const home = join(user, '.goarm');
    await writeTrustConfig(home, { indexUrl: mirror.indexUrl, downloadBase: mirror.downloadBase, keyFiles: [keyFile] });
    const inst = await sh('goarm install 1.19', { cwd: user, env });
    expect(inst.code, inst.stderr).toBe(0);
    expect(inst.stderr).toContain(`go${go.version} is now the default`);
    const fresh = await realpath(await tempHome('goarm-dist-fresh-'));
    const v = await sh(`'${home}/shims/go' version`, { cwd: fresh, env: { ...env, PWD: fresh } });
    expect(v, v.stderr).toMatchObject({ code: 0, stdout: `go version go${go.version} ${go.os}/${go.arch}\n` });

    const u = await sh(`npm uninstall -g --prefix '${prefix}' goarm`, { cwd: user, env });
    expect(u.code, u.stderr).toBe(0);
    const other = await realpath(await tempHome('goarm-dist-fresh2-'));
    const gone = await sh(`'${home}/shims/go' version`, { cwd: other, env: { ...env, PWD: other } });
    expect(gone.code).toBe(4);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toBe(
      `goarm: the goarm that ${home} belongs to (${prefix}/lib/node_modules/goarm) is gone; ` +
        'reinstall goarm (npm install -g goarm, or its install.sh)\n',
    );
  });
});

/** A real npm registry: verdaccio with throw-away storage, publishing allowed to a user made here. */
async function startRegistry(): Promise<{ url: string; npmrc: string; close(): Promise<void> }> {
  const dir = await tempHome('goarm-dist-verdaccio-');
  const { runServer } = await import('verdaccio');
  const app = await runServer({
    self_path: join(dir, 'config.yaml'),
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    web: { enable: false },
  } as never);
  const server: Server = await new Promise((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  const r = await fetch(`${url}-/user/org.couchdb.user:tester`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tester', password: 'a-throw-away-password' }),
  });
  const { token } = (await r.json()) as { token: string };
  const npmrc = join(dir, 'publisher.npmrc');
  await writeFile(npmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`);
  return {
    url,
    npmrc,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

describe('install.sh piped into sh, from a real registry', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let user: string;
  const script = () => readFile(join(REPO_ROOT, 'install.sh'), 'utf8');
  const publish = async (file: string) => {
    const r = await sh(`npm publish '${file}' --userconfig '${registry.npmrc}'`, {
      cwd: dirname(file),
      env: { ...npmEnv(await tempHome('goarm-dist-pub-'), registry.url), npm_config_userconfig: registry.npmrc },
    });
    expect(r.code, r.stderr).toBe(0);
  };
  /** `sh -s -- args < install.sh` in cwd, for the user `home`. */
  const pipeInstall = async (cwd: string, home: string, args: string) =>
    sh(`sh -s -- ${args}`, { cwd, env: { ...npmEnv(home, registry.url), SHELL: '/bin/bash' }, input: await script() });
  const RC = (home: string) => ({
    bash: join(home, '.bashrc'),
    zsh: join(home, '.zshrc'),
    fish: join(home, '.config', 'fish', 'config.fish'),
  });
  // What the user had before goarm: every byte must survive `self uninstall` (zsh's lacks a final newline).
  const BEFORE = {
    bash: "alias ll='ls -l'\nexport EDITOR=vi\n",
    zsh: 'setopt autocd\nbindkey -e',
    fish: 'set -gx EDITOR vi\n',
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await publish(tgz);
    user = await realpath(await tempHome('goarm-dist-user-'));
    for (const [shell, text] of Object.entries(BEFORE)) {
      const file = RC(user)[shell as keyof typeof BEFORE];
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
  }, 300_000);
  afterAll(() => registry?.close());

  it('installs from an empty directory, leaving it untouched', async () => {
    const empty = await tempHome('goarm-dist-empty-');
    const r = await pipeInstall(empty, user, '--modify-rc');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`goarm 0.1.0 installed in ${user}/.goarm`);
    expect(r.stdout).toContain(`added to ${user}/.bashrc: eval "$("$HOME/.goarm/bin/goarm" use)"`);
    expect(await readdir(empty)).toEqual([]);
    expect(await sh(`'${user}/.goarm/bin/goarm' --version`, { cwd: user, env: { HOME: user } })).toMatchObject({
      code: 0,
      stdout: '0.1.0\n',
    });
    for (const shell of ['zsh', 'fish']) {
      const more = await pipeInstall(empty, user, `--modify-rc --shell ${shell}`);
      expect(more.code, more.stderr).toBe(0);
      expect(more.stdout).toContain(`added to ${RC(user)[shell as 'zsh' | 'fish']}`);
    }
  });

  it('from inside a Node project with src/ and scripts: nothing there is run, read or changed', async () => {
    const project = await tempHome('goarm-dist-project-');
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'someone-elses-app',
        version: '1.0.0',
        scripts: { build: 'touch BUILT', prepare: 'touch PREPARED', preinstall: 'touch PREINSTALLED' },
        dependencies: { 'left-pad': '1.3.0' },
      }),
    );
    await mkdir(join(project, 'src'));
    await writeFile(join(project, 'src', 'index.js'), 'console.log("hi")\n');
    await mkdir(join(project, 'node_modules', 'left-pad'), { recursive: true });
    await writeFile(join(project, 'node_modules', 'left-pad', 'index.js'), 'module.exports = (s) => s;\n');
    // A project .npmrc pointing npm at a dead registry: the install only works if npm never reads it.
    await writeFile(join(project, '.npmrc'), `registry=${DEAD_REGISTRY}\n`);
    await writeFile(join(project, 'install.sh'), 'touch RAN_PROJECT_INSTALL_SH\n');
    const before = await snapshot(project);
    const other = await realpath(await tempHome('goarm-dist-user2-'));
    const r = await pipeInstall(project, other, '--no-modify-rc');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`goarm 0.1.0 installed in ${other}/.goarm`);
    expect(await snapshot(project)).toEqual(before);
  });

  /** A new interactive shell with the rc line: its execs (strace -f), and what the init it loaded set. */
  async function newShell(shell: 'bash' | 'zsh' | 'fish'): Promise<{ execs: string[]; marker: string }> {
    const log = join(await tempHome('goarm-dist-strace-'), 'log');
    const r = await sh(
      `strace -f -qq -e trace=execve -e signal=none -o '${log}' ${shell} -i -c 'echo "M=[$__goarm_marker]"'`,
      { cwd: user, env: { HOME: user, TERM: 'dumb', SHELL: `/usr/bin/${shell}` } },
    );
    if (r.code === 127 && /strace/.test(r.stderr)) expect.fail('strace is not installed (see .ci/run)');
    expect(r.stderr).not.toMatch(/goarm:|error:/);
    const execs = (await readFile(log, 'utf8'))
      .split('\n')
      .filter((l) => / execve\("/.test(l) && !/ = -1 /.test(l))
      .map((l) => /execve\("([^"]+)"/.exec(l)![1]);
    return { execs, marker: /M=\[(.*)\]/.exec(r.stdout)?.[1] ?? '(no output)' };
  }

  it('new bash, zsh and fish with the rc line start no Node; after an upgrade they load the new init', async () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const s = await newShell(shell);
      expect(s.execs).toContain(`${user}/.goarm/bin/goarm`); // the rc line ran goarm's launcher...
      expect({ shell, node: s.execs.filter((e) => /node$/.test(e)) }).toEqual({ shell, node: [] }); // ...not Node
      expect(s.marker).toBe('');
    }
    // 0.1.1: an init that sets a marker, republished; re-running the installer upgrades in place.
    await sh('npm version 0.1.1 --no-git-tag-version >/dev/null', { cwd: clone, env: { HOME: user } });
    for (const shell of ['bash', 'zsh', 'fish'])
      await writeFile(
        join(clone, 'shims', `init.${shell}`),
        `${await readFile(join(clone, 'shims', `init.${shell}`), 'utf8')}\n${
          shell === 'fish' ? 'set -g __goarm_marker 0.1.1' : '__goarm_marker=0.1.1'
        }\n`,
      );
    await publish(await pack());
    const up = await pipeInstall(await tempHome('goarm-dist-empty2-'), user, '');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`upgraded goarm 0.1.0 → 0.1.1 in ${user}/.goarm`);
    expect(up.stdout).toContain(`${user}/.bashrc already loads goarm`); // not asked again
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const s = await newShell(shell);
      expect({ shell, node: s.execs.filter((e) => /node$/.test(e)) }).toEqual({ shell, node: [] });
      expect({ shell, marker: s.marker }).toEqual({ shell, marker: '0.1.1' });
    }
    const rc = await readFile(RC(user).bash, 'utf8');
    expect(rc.split('\n').filter((l) => l.includes('goarm/bin/goarm'))).toHaveLength(1);
  });

  it('`self update` goes the way goarm was installed (install.sh, from the registry)', async () => {
    const r = await sh(`'${user}/.goarm/bin/goarm' self update`, { cwd: user, env: npmEnv(user, registry.url) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`fetching goarm@latest from ${registry.url}`);
    expect(r.stdout).toContain(`goarm 0.1.1 reinstalled in ${user}/.goarm`);
  });

  it('`self uninstall --yes` removes GOARM_HOME and exactly the rc lines install.sh added', async () => {
    const r = await sh(`'${user}/.goarm/bin/goarm' self uninstall --yes`, { cwd: user, env: { HOME: user } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^remove ${user}/\\.goarm \\(\\d+ [KM]B: `, 'm'));
    expect(r.stdout).toContain(`removed ${user}/.goarm`);
    await expect(stat(join(user, '.goarm'))).rejects.toThrow();
    for (const [shell, text] of Object.entries(BEFORE))
      expect({ shell, rc: await readFile(RC(user)[shell as keyof typeof BEFORE], 'utf8') }).toEqual({
        shell,
        rc: text,
      });
  });
});
