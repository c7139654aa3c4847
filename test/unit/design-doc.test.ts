// docs/design.md's module table must name every module in src/ and nothing else, so the map never drifts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : [join(d, e)]));

describe('docs/design.md', () => {
  it('has one module-table row per file in src/, and no row for a file that is not there', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Modules'), doc.indexOf('\n## ', doc.indexOf('## Modules') + 1));
    const documented = [...table.matchAll(/^\| `(src\/[^`]+\.ts)` \|/gm)].map((m) => m[1]).sort();
    const actual = walk(join(ROOT, 'src'))
      .map((f) => relative(ROOT, f))
      .sort();
    expect(documented).toEqual(actual);
  });
});
