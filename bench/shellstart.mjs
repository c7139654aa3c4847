// What goarm adds to starting a shell: a home built by ./install.sh from this checkout (GOARM_HOME=<tmp>, no rc
// edits), then `bash -i -c exit` / `zsh -i -c exit` / `fish -i -c exit` with the rc line
// `eval "$("$GOARM_HOME/bin/goarm" use)"` (fish: `"$GOARM_HOME/bin/goarm" use | source`) against an empty rc, side
// by side with `node -e 0` in one hyperfine run. Goal: the difference ≤ 0.25x `node -e 0` (no Node at shell start).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hyperfineVersion, stats, timeSideBySide } from './hyperfine.mjs';
import { table, timeCommand } from './measure.mjs';

export const title = 'Shell start: the rc line vs an empty rc';

const RUNS = Number(process.env.BENCH_SHELL_RUNS ?? 30);
const SHELLS = ['bash', 'zsh', 'fish'];
const RC = {
  bash: '.bashrc',
  zsh: '.zshrc',
  fish: '.config/fish/config.fish',
};
const LINE = {
  bash: 'eval "$("$GOARM_HOME/bin/goarm" use)"\n',
  zsh: 'eval "$("$GOARM_HOME/bin/goarm" use)"\n',
  fish: '"$GOARM_HOME/bin/goarm" use | source\n',
};

async function userHome(dir, shell, withLine) {
  await mkdir(path.join(dir, '.config', 'fish'), { recursive: true });
  await writeFile(path.join(dir, RC[shell]), withLine ? LINE[shell] : '');
  return dir;
}

export async function run(ctx) {
  if (!hyperfineVersion()) throw new Error('hyperfine is needed for the shell-start bench (apt-get install hyperfine)');
  const goarmHome = path.join(ctx.tmp, 'goarm-home');
  const installer = path.join(ctx.tmp, 'installer-home');
  await mkdir(installer);
  ctx.log('  ./install.sh into a temporary GOARM_HOME');
  await timeCommand(path.join(ctx.root, 'install.sh'), [], {
    cwd: ctx.root,
    env: { ...process.env, GOARM_HOME: goarmHome, HOME: installer, SHELL: '/bin/bash' },
  });
  const env = { ...process.env, GOARM_HOME: goarmHome };
  delete env.ZDOTDIR; // zsh reads $HOME/.zshrc
  const shells = SHELLS.filter((sh) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0);
  const commands = [{ name: 'node -e 0', argv: [process.execPath, '-e', '0'] }];
  for (const sh of shells)
    for (const withLine of [false, true]) {
      const name = `${sh} -i -c exit, ${withLine ? 'rc line' : 'empty rc'}`;
      const home = await userHome(path.join(ctx.tmp, `${sh}-${withLine ? 'rc' : 'empty'}`), sh, withLine);
      // hyperfine runs every command in one environment: the command itself picks its HOME.
      commands.push({ name, argv: ['env', `HOME=${home}`, `XDG_CONFIG_HOME=${home}/.config`, sh, '-i', '-c', 'exit'] });
      const check = spawnSync(
        'env',
        [`HOME=${home}`, `XDG_CONFIG_HOME=${home}/.config`, sh, '-i', '-c', 'type goarm'],
        {
          env,
          encoding: 'utf8',
        },
      );
      if (withLine && !/function/.test(check.stdout))
        throw new Error(`${sh} did not load goarm from its rc: ${check.stdout} ${check.stderr}`);
    }
  const load = [os.loadavg()[0]];
  ctx.log(`  ${RUNS} runs per command, in 4 rounds of alternating order`);
  const res = await timeSideBySide(commands, { runs: RUNS, warmup: 3, rounds: 4, cwd: ctx.tmp, env, tmp: ctx.tmp });
  load.push(os.loadavg()[0]);
  const s = Object.fromEntries(res.map((r) => [r.name, stats(r.times)]));
  const node = s['node -e 0'].median;
  const rows = [];
  for (const sh of shells) {
    const [empty, rc] = [s[`${sh} -i -c exit, empty rc`].median, s[`${sh} -i -c exit, rc line`].median];
    ctx.row(`a new ${sh} with the rc line: time added, vs \`node -e 0\``, (rc - empty) / node, 0.25);
    rows.push([sh, empty.toFixed(1), rc.toFixed(1), (rc - empty).toFixed(1), `${((rc - empty) / node).toFixed(2)}x`]);
  }
  return [
    `GOARM_HOME built by ./install.sh; hyperfine (--shell=none), ${res[0].times.length} timed runs per command, order`,
    `reversed every other round; \`node -e 0\`: ${node.toFixed(1)} ms median. Load average (1 min) before / after:`,
    `${load.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    table(['shell', 'empty rc, ms', 'rc line, ms', 'added, ms', 'added / node -e 0'], rows),
  ].join('\n');
}
