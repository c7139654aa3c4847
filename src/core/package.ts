// Where goarm's own files are: the package root holds package.json, dist/, shims/ and keys/. Every module that
// reads a file shipped with goarm asks here, so moving a module never breaks a relative path.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * src/core/package.ts sits two levels below the package root; in the bundle (scripts/bundle.mjs) this code lands in
 * dist/<entry>.js or dist/app/<entry>.js, so the root is what comes before the last /dist/.
 */
const here = fileURLToPath(import.meta.url);
const cut = here.lastIndexOf(`${sep}dist${sep}`);
export const PACKAGE_ROOT = here.endsWith(join('src', 'core', 'package.ts'))
  ? resolve(dirname(here), '..', '..')
  : here.slice(0, cut);

export const packageFile = {
  json: join(PACKAGE_ROOT, 'package.json'),
  template: (name: string) => join(PACKAGE_ROOT, 'shims', name),
  pinnedKey: join(PACKAGE_ROOT, 'keys', 'google-linux-packages-signing-key.asc'),
};

/** This goarm's version, from its package.json. */
export const packageVersion = async (): Promise<string> =>
  JSON.parse(readFileSync(packageFile.json, 'utf8')).version as string;
