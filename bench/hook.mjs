// Prompt hook overhead: what `eval "$(goarm use)"` adds to every prompt when nothing changed, in bash, zsh and
// fish, against the same shell with the same init loaded but the hook unregistered (so start-up costs the same
// and the difference is the hook alone). bash and zsh run interactively (-i) with N empty lines on stdin: each
// line is one prompt, and PROMPT_COMMAND / precmd run before it as on a terminal. fish draws no prompt for piped
// input (and on a pty its line editor dominates), so it emits its prompt event, fish_prompt, N times: the very
// event the hook is registered for. The node the hook would start is a logging wrapper: the log must stay empty.
import { execFileSync, spawn } from 'node:child_process';
import { access, chmod, copyFile, mkdir, readdir, readFile, realpath, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median, table, timeCommand } from './measure.mjs';

export const title = 'Shell hook: cost per prompt with no change, goarm init vs no hook';

const PROMPTS = Number(process.env.BENCH_HOOK_PROMPTS ?? 2000);
const TARGET_MS = 1.0;

/** Runs `script` under bash's `time`, which reports the wall clock and the CPU time of everything it ran. */
function timed(script, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='%3R %3U %3S'; time { ${script}; } >/dev/null 2>&1`], {
      ...opts,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`${script}: exit ${code}: ${err.trim()}`));
      resolve({ wall: Number(m[1]) * 1000, cpu: (Number(m[2]) + Number(m[3])) * 1000 });
    });
  });
}

async function backdate(dir, seconds) {
  const t = Date.now() / 1000 - seconds;
  const walk = async (d) => {
    await utimes(d, t, t);
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else await utimes(path.join(d, e.name), t, t);
    }
  };
  await walk(dir);
}

export async function run(ctx) {
  for (const f of ['dist/cli.js', 'dist/shim-entry.js'])
    await access(path.join(ctx.root, f)).catch(() => {
      throw new Error(`${f} is missing: run \`npm run build\` first`);
    });
  const tmp = await realpath(ctx.tmp);
  const home = path.join(tmp, 'home');
  const project = path.join(tmp, 'project');
  const go = path.join(home, 'versions', '1.22.5', 'bin', 'go');
  await mkdir(path.dirname(go), { recursive: true });
  await copyFile('/bin/true', go);
  await writeFile(path.join(home, 'config.toml'), 'default = "1.22"\n');
  await mkdir(project);
  await writeFile(path.join(project, '.goarm.toml'), 'go = "1.22.5"\n');
  const env = { ...process.env, GOARM_HOME: home, HOME: tmp, TERM: 'dumb' };
  for (const k of Object.keys(env)) if (/^(GO|CGO_)/.test(k) && k !== 'GOARM_HOME') delete env[k];
  await timeCommand(process.execPath, [path.join(ctx.root, 'dist/cli.js'), 'shims'], { env });

  // The init code, rendered as `goarm use` does but with a node that logs its starts.
  const log = path.join(tmp, 'node.log');
  const node = path.join(tmp, 'bin', 'node');
  await mkdir(path.dirname(node));
  await writeFile(node, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  await chmod(node, 0o755);
  // The hook runs GOARM_HOME/bin/goarm, the launcher `goarm shims` wrote: pointed at that logging node. The init
  // code is what `goarm use` prints (the built package only has its entry points).
  const launcher = path.join(home, 'bin', 'goarm');
  const text = await readFile(launcher, 'utf8');
  await writeFile(launcher, text.replace(/^_goarm_node=.*$/m, `_goarm_node='${node}'`), { mode: 0o755 });
  for (const sh of ['bash', 'zsh', 'fish']) {
    const init = execFileSync(process.execPath, [path.join(ctx.root, 'dist/cli.js'), 'use', '--shell', sh], { env });
    await writeFile(path.join(tmp, `init.${sh}`), init);
  }

  // Settle: everything dated in the past (cache/resolve/ made first: creating it later would change home/'s
  // mtime, which every cache depends on), then the project's caches written with the real node, unlogged.
  await mkdir(path.join(home, 'cache', 'resolve'), { recursive: true });
  await backdate(tmp, 10);
  await timeCommand(process.execPath, [path.join(ctx.root, 'dist/shim-entry.js'), 'hook-resolve', project], { env });
  const lines = path.join(tmp, 'lines');
  await writeFile(lines, '\n'.repeat(PROMPTS));

  // Three variants per shell, each loading the same init code: the hook unregistered ("none"), replaced by an
  // empty hook function ("empty": what any prompt hook costs in that shell), and goarm's own.
  const unhook = {
    bash: 'PROMPT_COMMAND=',
    zsh: 'add-zsh-hook -d precmd __goarm_hook',
    fish: 'functions -e __goarm_hook',
  };
  const empty = {
    bash: '__bench_noop() { return $?; }; PROMPT_COMMAND=__bench_noop',
    zsh: '__bench_noop() { }; add-zsh-hook precmd __bench_noop',
    fish: 'function __bench_noop --on-event fish_prompt; end',
  };
  const VARIANTS = ['none', 'empty', 'goarm'];
  const scripts = {};
  for (const sh of ['bash', 'zsh', 'fish']) {
    for (const v of VARIANTS) {
      const extra = v === 'goarm' ? '' : v === 'none' ? unhook[sh] : `${unhook[sh]}; ${empty[sh]}`;
      const rc = path.join(tmp, `rc-${sh}-${v}`);
      await mkdir(rc);
      const init = `. ${path.join(tmp, `init.${sh}`)}\n${extra}\n`;
      if (sh === 'bash') await writeFile(path.join(rc, '.bashrc'), init);
      if (sh === 'zsh') await writeFile(path.join(rc, '.zshrc'), init);
      scripts[`${sh}:${v}`] =
        sh === 'bash'
          ? `bash --noprofile --rcfile ${rc}/.bashrc -i < ${lines}`
          : sh === 'zsh'
            ? `ZDOTDIR=${rc} zsh --no-globalrcs -i < ${lines}`
            : `fish --no-config -c 'source ${path.join(tmp, 'init.fish')}; ${extra}; ` +
              `for i in (seq ${PROMPTS}); emit fish_prompt; end'`;
    }
  }

  const samples = new Map(Object.keys(scripts).map((k) => [k, []]));
  const load = [os.loadavg()[0]];
  for (let round = 0; round <= ctx.runs; round++) {
    // Alternate the order every round so drift on a shared machine hits both variants alike.
    const keys = round % 2 ? Object.keys(scripts).reverse() : Object.keys(scripts);
    for (const k of keys) {
      const t = await timed(scripts[k], { cwd: project, env });
      if (round > 0) samples.get(k).push(t);
      ctx.log(
        `  ${round ? `run ${round}/${ctx.runs}` : 'warm-up'} ${k}: ` +
          `${t.wall.toFixed(0)} ms wall, ${t.cpu.toFixed(0)} ms CPU`,
      );
    }
  }
  load.push(os.loadavg()[0]);
  const starts = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  if (starts.length)
    throw new Error(`the hook started node ${starts.length} times while nothing changed: ${starts[0]}`);

  const us = (ms) => (ms * 1000).toFixed(0);
  const rows = [];
  const verdicts = [];
  const wall = (k) => median(samples.get(k).map((x) => x.wall));
  const cpu = (k) => median(samples.get(k).map((x) => x.cpu));
  for (const sh of ['bash', 'zsh', 'fish']) {
    const per = (f, a, b) => (f(`${sh}:${b}`) - f(`${sh}:${a}`)) / PROMPTS;
    const dWall = per(wall, 'none', 'goarm');
    rows.push([
      sh,
      ...VARIANTS.map((v) => `${wall(`${sh}:${v}`).toFixed(0)} / ${cpu(`${sh}:${v}`).toFixed(0)}`),
      `**${us(dWall)}** / ${us(per(cpu, 'none', 'goarm'))}`,
      `${us(per(wall, 'none', 'empty'))} / ${us(per(cpu, 'none', 'empty'))}`,
    ]);
    verdicts.push(`${sh} ${dWall <= TARGET_MS ? 'met' : 'NOT met'}`);
  }
  return [
    `${PROMPTS} prompts per run in a project whose \`.goarm.toml\` pins an installed version, ` +
      `caches fresh; ${ctx.runs} runs`,
    'per variant after one warm-up, the order alternated every round; medians. Every variant loads the same init code;',
    '"none" then unregisters the hook, "empty" puts an empty hook function in its place ' +
      '(the floor any prompt hook pays).',
    'bash and zsh: interactive shells reading one empty line per prompt; fish: `emit fish_prompt`, its prompt event.',
    `Node started by the hook during all of it: ${starts.length} times. ` +
      `Load average (1 min) before / after: ${load.map((l) => l.toFixed(2)).join(' / ')}`,
    `on ${os.availableParallelism()} cores shared with other jobs: ` +
      'wall times are inflated, CPU time is the steadier figure.',
    '',
    table(
      [
        'shell',
        'none: ms wall / CPU',
        'empty hook: ms wall / CPU',
        'goarm hook: ms wall / CPU',
        'goarm hook per prompt, µs wall / CPU',
        'empty hook per prompt, µs wall / CPU',
      ],
      rows,
    ),
    '',
    `Target ≤ ${TARGET_MS} ms per prompt (goarm hook vs none, wall): ${verdicts.join(', ')}.`,
  ].join('\n');
}
