// The README's exit-code table and the error table in src/core/errors.ts must say the same thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, ExitCode } from '../../src/core/errors.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Exit codes'));
const documented = new Map(
  [...section.matchAll(/^\| (\d+) \| ([^|]+) \|([^|]*)\|$/gm)].map((m) => [Number(m[1]), m[2].trim()] as const),
);

describe('error table', () => {
  it('documents every exit code an error can have', () => {
    for (const [code, [exit]] of Object.entries(ERRORS)) expect(documented.has(exit), `${code} → ${exit}`).toBe(true);
  });
  it('documents no exit code that ExitCode lacks', () => {
    expect([...documented.keys()].sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
  });
  it('lists every error code in the README row of its exit code, and no other', () => {
    const listed = new Map(
      [...section.matchAll(/^\| (\d+) \|[^|]+\|([^|]*)\|$/gm)].flatMap((m) =>
        [...m[2].matchAll(/`(E_[A-Z0-9_]+)`/g)].map((c) => [c[1], Number(m[1])] as const),
      ),
    );
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(Object.entries(ERRORS).map(([c, [e]]) => [c, e])));
  });
});
