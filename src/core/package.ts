// Where goarm's own files are: the package root holds package.json, dist/, shims/ and keys/. Every module that
// reads a file shipped with goarm asks here, so moving a module never breaks a relative path.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/core/package.js and src/core/package.ts both sit two levels below the package root. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const packageFile = {
  json: join(PACKAGE_ROOT, 'package.json'),
  template: (name: string) => join(PACKAGE_ROOT, 'shims', name),
  pinnedKey: join(PACKAGE_ROOT, 'keys', 'google-linux-packages-signing-key.asc'),
};
