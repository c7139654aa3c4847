// cli.ts names each command's module in a literal table (so the bundle resolves every one to a lazy require); it must
// list exactly the commands of core/commands.ts, each with a file in src/commands/.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/core/commands.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('cli.ts command modules', () => {
  it('match the command table and the files in src/commands/', async () => {
    const cli = await readFile(join(REPO_ROOT, 'src', 'cli.ts'), 'utf8');
    const table = [...cli.matchAll(/^ {2}'?([\w-]+)'?: \(\) => import\('\.\/commands\/([\w-]+)\.js'\),$/gm)];
    expect(table.length).toBeGreaterThan(0);
    for (const [, key, file] of table) expect(file).toBe(key);
    const names = COMMANDS.map((c) => c.name).sort();
    expect(table.map((m) => m[1]).sort()).toEqual(names);
    const files = (await readdir(join(REPO_ROOT, 'src', 'commands'))).map((f) => f.replace(/\.ts$/, ''));
    expect(files.filter((f) => f !== 'common').sort()).toEqual(names);
  });
});
