// Shared by the benchmark sections: wall-clock timing of a child process, alternating variants, and
// the markdown table. Wall clock is what a user waits for, so that is what is measured.
import { spawn } from 'node:child_process';

/** Runs a command to completion and returns its wall time in ms; a non-zero exit is an error. */
export function timeCommand(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** Flushes dirty pages, so one run's writes are not written back on the next run's time. */
export function flushDisks() {
  return timeCommand('sync', []);
}

/**
 * Measures variants side by side in pairs (rounds): one warm-up round (fills the page cache and JIT caches for all
 * alike), then `runs` rounds, the order reversed every other round (a, b, b, a, ...) so neither variant always
 * runs on the other's leftovers, and drift on the machine hits every variant equally. A variant is
 * `{ name, prepare?(), run() -> ms, check?(), cleanup?() }`; only `run` is timed (after a `sync`), and `check`
 * (after each run) must throw if the result is wrong. Returns name -> ms per round, in round order, so
 * samples.get(a)[i] / samples.get(b)[i] is round i's ratio.
 */
export async function alternate(variants, runs, log = () => {}) {
  const samples = new Map(variants.map((v) => [v.name, []]));
  for (let round = 0; round <= runs; round++) {
    for (const v of round % 2 ? variants : [...variants].reverse()) {
      const ctx = v.prepare ? await v.prepare() : undefined;
      try {
        await flushDisks();
        const ms = await v.run(ctx);
        if (v.check) await v.check(ctx);
        if (round > 0) samples.get(v.name).push(ms);
        log(`  ${round === 0 ? 'warm-up' : `run ${round}/${runs}`} ${v.name}: ${(ms / 1000).toFixed(2)} s`);
      } finally {
        if (v.cleanup) await v.cleanup(ctx);
      }
    }
  }
  return samples;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const min = (xs) => Math.min(...xs);

export function table(headers, rows) {
  // A literal | would end the cell, even inside backticks.
  const line = (cells) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const seconds = (ms) => (ms / 1000).toFixed(2);
