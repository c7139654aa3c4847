// The fish syntax of the resolve cache (shell/cache.ts), for the fish prompt hook only: fish cannot source sh, and
// fish runs go through the sh shims, so this twin carries the verdict and no environment. Values go through
// fishQuote().
import type { CacheSpec } from './cache.js';
import { fishQuote } from './quote.js';

/** `test a -nt b` compares nanosecond mtimes in fish (3.6+) as in sh, so both files go stale together. */
export function renderFishCache(c: CacheSpec): string {
  // One `test` for all dependencies (-o): sourcing this runs before every prompt, and each command costs.
  const deps = [
    ...c.deps.changed.map((f) => `${fishQuote(f)} -nt $_goarm_c -o ! -e ${fishQuote(f)}`),
    ...c.deps.appear.map((f) => `-e ${fishQuote(f)}`),
  ].join(' -o ');
  // As in the sh cache: the hook sets _goarm_new when it sources a cache just written for this very prompt.
  const fresh = deps ? `test -n "$_goarm_new"; or not test ${deps}` : 'true';
  const lines = [
    '# goarm hook cache for fish (generated; safe to delete)',
    c.onlyWithEnvVersion ? `if set -q GOARM_VERSION; and begin; ${fresh}; end` : `if ${fresh}`,
  ];
  if ('err' in c.verdict) lines.push(`    set _goarm_err ${fishQuote(c.verdict.err)}`);
  if (c.note) lines.push(`    set _goarm_note ${fishQuote(c.note)}`);
  lines.push('    set _goarm_fresh 1', 'end', '');
  return lines.join('\n');
}
