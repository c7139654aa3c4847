// Installed versions: each versions/<v> must be a whole Go root for the platform its name says (the host's, for a
// plain version: an amd64 Go on Apple Silicon runs under Rosetta and builds amd64), with the right VERSION and no
// dangling links. Also what interrupted work leaves behind: staging debris, partial downloads, stray directories.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from '../core/fs.js';
import { normalize } from '../core/goversion.js';
import { stagingGone } from '../core/lock.js';
import { binaryInfo } from '../core/platform.js';
import { manifestPath, walkTree } from '../install/manifest.js';
import { type DoctorContext, type Finding, fail, ok, warn } from './findings.js';

const reinstall = (names: string[]) =>
  names
    .map((n) => {
      const [v, os, arch] = n.split('-');
      return `goarm uninstall ${n} && goarm install ${v}${os ? ` --os ${os} --arch ${arch}` : ''}`;
    })
    .join('; ');

export async function installChecks(ctx: DoctorContext): Promise<Finding[]> {
  const { home, host } = ctx;
  const names = (await readdir(home.versions).catch(() => [] as string[])).sort();
  const versions: { name: string; version: string; os: string; arch: string; root: string }[] = [];
  const stray: string[] = [];
  for (const name of names) {
    const [v, os, arch, ...rest] = name.split('-');
    const version = normalize(v);
    if (
      !version ||
      rest.length ||
      (os !== undefined && arch === undefined) ||
      !(await stat(join(home.versions, name)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      stray.push(name);
    else versions.push({ name, version, os: os ?? host.os, arch: arch ?? host.arch, root: join(home.versions, name) });
  }

  const noGo: string[] = [];
  const wrongArch: { name: string; found: string; expected: string }[] = [];
  const badVersion: { name: string; found: string }[] = [];
  const dangling: { name: string; path: string }[] = [];
  const noManifest: string[] = [];
  for (const v of versions) {
    const info = await binaryInfo(join(v.root, 'bin', 'go'));
    if (!(await exists(join(v.root, 'bin', 'go')))) noGo.push(v.name);
    else if (info && (info.os !== v.os || !info.archs.includes(v.arch)))
      wrongArch.push({ name: v.name, found: `${info.os}/${info.archs.join('+')}`, expected: `${v.os}/${v.arch}` });
    const first = (await readFile(join(v.root, 'VERSION'), 'utf8').catch(() => '')).split('\n')[0].trim();
    if (first !== `go${v.version}`) badVersion.push({ name: v.name, found: first || '(missing)' });
    for (const e of await walkTree(v.root).catch(() => []))
      if (e.kind === 'link' && !(await exists(join(v.root, e.rel)))) dangling.push({ name: v.name, path: e.rel });
    if (!(await exists(manifestPath(home, v.name)))) noManifest.push(v.name);
  }

  const out: Finding[] = [];
  if (!versions.length)
    out.push(warn('installs.binary', 'no Go version is installed', 'goarm install latest', { versions: [] }));
  else if (noGo.length || wrongArch.length) {
    const parts = [
      ...noGo.map((n) => `versions/${n} has no bin/go (a broken install)`),
      ...wrongArch.map(
        (w) =>
          `versions/${w.name}/bin/go is ${w.found}, not ${w.expected}${
            host.appleSilicon && w.found.endsWith('amd64')
              ? ': an Intel Go, which runs under Rosetta and builds amd64 (installed from a Rosetta terminal?)'
              : ''
          }`,
      ),
    ];
    out.push(
      fail(
        'installs.binary',
        parts.join('; '),
        `reinstall from a native terminal: ${reinstall([...noGo, ...wrongArch.map((w) => w.name)])}`,
        { noGo, wrongArch },
      ),
    );
  } else
    out.push(
      ok(
        'installs.binary',
        `${versions.length} installed: ${versions.map((v) => v.name).join(', ')}; ` +
          'each bin/go is built for its platform',
        { versions: versions.map((v) => v.name) },
      ),
    );

  if (badVersion.length)
    out.push(
      fail(
        'installs.version-file',
        badVersion.map((b) => `versions/${b.name}/VERSION says ${b.found}`).join('; ') +
          ': the directory and the release inside disagree',
        `reinstall: ${reinstall(badVersion.map((b) => b.name))}`,
        { mismatched: badVersion },
      ),
    );
  else
    out.push(
      ok('installs.version-file', versions.length ? 'every VERSION file matches its directory' : 'nothing installed'),
    );

  if (dangling.length)
    out.push(
      fail(
        'installs.links',
        `dangling symlinks: ${dangling
          .slice(0, 10)
          .map((d) => `versions/${d.name}/${d.path}`)
          .join(', ')}${dangling.length > 10 ? ` and ${dangling.length - 10} more` : ''}`,
        `reinstall: ${reinstall([...new Set(dangling.map((d) => d.name))])}`,
        { dangling },
      ),
    );
  else out.push(ok('installs.links', 'no dangling symlinks'));

  const manifests = (await readdir(home.manifests).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
  const orphans = manifests.filter((m) => !versions.some((v) => v.name === m));
  if (noManifest.length || orphans.length)
    out.push(
      warn(
        'installs.manifests',
        [
          noManifest.length
            ? `no install manifest for ${noManifest.join(', ')} (installed before goarm recorded them), ` +
              `so \`goarm verify\` cannot check ${noManifest.length > 1 ? 'them' : 'it'}`
            : '',
          orphans.length ? `manifests for versions that are not installed: ${orphans.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        [
          noManifest.length ? `reinstall to record one: ${reinstall(noManifest)}` : '',
          orphans.length ? `rm ${orphans.map((o) => manifestPath(home, o)).join(' ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        { noManifest, orphans },
      ),
    );
  else
    out.push(
      ok(
        'installs.manifests',
        versions.length ? 'every installed version has a manifest (`goarm verify` checks them)' : 'nothing installed',
      ),
    );

  const staging = await readdir(home.staging).catch(() => [] as string[]);
  const dead = staging.filter(stagingGone);
  const busy = staging.filter((n) => !dead.includes(n));
  const partial = (await readdir(home.downloads).catch(() => [] as string[])).filter((n) => n.endsWith('.partial'));
  // A partial download's validators (<file>.partial.json) go with it.
  const sidecars = partial.map((n) => join(home.downloads, `${n}.json`));
  const present = await Promise.all(sidecars.map(exists));
  const debris = [
    ...dead.map((n) => join(home.staging, n)),
    ...partial.map((n) => join(home.downloads, n)),
    ...sidecars.filter((_, i) => present[i]),
    ...stray.map((n) => join(home.versions, n)),
  ];
  if (debris.length)
    out.push(
      warn(
        'installs.debris',
        [
          dead.length ? `staging left by interrupted installs: ${dead.join(', ')}` : '',
          partial.length
            ? `partial downloads: ${partial.join(', ')} (the next install of that release resumes it)`
            : '',
          stray.length ? `not Go versions, in versions/: ${stray.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        `rm -rf ${debris.join(' ')}`,
        { staging: dead, partial, stray },
      ),
    );
  else
    out.push(
      ok(
        'installs.debris',
        busy.length
          ? `an install is running (${busy.join(', ')}); no debris`
          : 'no staging debris, partial downloads or stray directories',
        { staging: [], partial: [], stray: [], busy },
      ),
    );
  return out;
}
