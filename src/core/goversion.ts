// Go toolchain versions, parsed and ordered exactly as Go does it: a port of
// src/internal/gover/gover.go (golang/go@337f922303a0) and of FromToolchain from
// src/cmd/go/internal/gover/toolchain.go. Versions here carry no "go" prefix: "1.21.3", not "go1.21.3".
// Go versions are not semver. The surprising rules, all Go's own:
//   - "1" means 1.0.0, and before 1.21 a missing patch means ".0": 1.19 == 1.19.0.
//   - From 1.21 on, "1.21" is the *language* version and sorts first: 1.21 < 1.21rc1 < 1.21.0.
//   - A prerelease of a minor release sorts before it: 1.19rc1 < 1.19 (== 1.19.0).
//   - The prerelease kind is any lowercase word ("1.999testmod" is valid); alpha < beta < rc is plain
//     string order. Old patch prereleases (1.9.2rc2, 1.8.5rc4) are in the release index, so Go accepts
//     them (golang/go#68634) and orders them before their release: 1.9.2rc2 < 1.9.2.
//   - Numbers are compared as decimal strings (no overflow); leading zeros are invalid ("1.021").
//   - Malformed versions compare equal to each other and below every valid version.

/** A parsed version; numbers stay decimal strings. The zero value (all "") means malformed. */
export interface Version {
  major: string;
  minor: string;
  patch: string; // "" for language versions (1.21) and prereleases of minor releases (1.21rc1)
  kind: string; // "", or a lowercase word such as "alpha", "beta", "rc"
  pre: string;
}

const invalid = (): Version => ({ major: '', minor: '', patch: '', kind: '', pre: '' });

/** Go's gover.Parse: the version, or the all-empty Version if `x` is malformed. */
export function parse(x: string): Version {
  const major = cutInt(x);
  if (!major) return invalid();
  let rest = major.rest;
  if (rest === '') return { major: major.n, minor: '0', patch: '0', kind: '', pre: '' }; // "1" is 1.0.0
  if (rest[0] !== '.') return invalid();
  const minor = cutInt(rest.slice(1));
  if (!minor) return invalid();
  const v: Version = { major: major.n, minor: minor.n, patch: '', kind: '', pre: '' };
  rest = minor.rest;
  if (rest === '') {
    // A missing patch is ".0" before Go 1.21; from 1.21 on it is the language version.
    if (cmpInt(v.minor, '21') < 0) v.patch = '0';
    return v;
  }
  if (rest[0] === '.') {
    const patch = cutInt(rest.slice(1));
    if (!patch) return invalid();
    v.patch = patch.n;
    rest = patch.rest;
    if (rest === '') return v;
  }
  const pre = parsePreRelease(rest);
  return pre ? { ...v, ...pre } : invalid();
}

function parsePreRelease(x: string): { kind: string; pre: string } | undefined {
  const m = /^([a-z]+)(.*)$/.exec(x);
  if (!m) return undefined;
  if (m[2] === '') return { kind: m[1], pre: '' };
  const pre = cutInt(m[2]);
  return pre && pre.rest === '' ? { kind: m[1], pre: pre.n } : undefined;
}

// Leading decimal number of x; no digits, or an unnecessary leading zero, is a failure.
function cutInt(x: string): { n: string; rest: string } | undefined {
  const n = /^[0-9]*/.exec(x)![0];
  if (n === '' || (n[0] === '0' && n.length !== 1)) return undefined;
  return { n, rest: x.slice(n.length) };
}

// Compares decimal strings without leading zeros: the shorter one is smaller.
function cmpInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

/** gover.Compare: -1, 0 or 1. */
export function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  for (const k of ['major', 'minor', 'patch'] as const) {
    const c = cmpInt(x[k], y[k]);
    if (c !== 0) return c;
  }
  if (x.kind !== y.kind) {
    let c = x.kind < y.kind ? -1 : 1; // "" < alpha < beta < rc, right for 1.21 < 1.21rc1
    // ...but a patch release comes after its own prereleases: 1.9.2rc2 < 1.9.2.
    if (x.patch !== '') {
      if (x.kind === '') c = 1;
      else if (y.kind === '') c = -1;
    }
    return c;
  }
  return cmpInt(x.pre, y.pre);
}

/** gover.Max: the greater of a and b; a when they compare equal. */
export function max(a: string, b: string): string {
  return compare(a, b) < 0 ? b : a;
}

export function isValid(v: string): boolean {
  return parse(v).major !== '';
}

/** Whether v is a language version ("1.21"), not a release ("1.21.0", "1.21rc1"). "1.20" is 1.20.0. */
export function isLang(v: string): boolean {
  const p = parse(v);
  return p.major !== '' && p.patch === '' && p.kind === '' && p.pre === '';
}

/** gover.Lang: "1.21.3" → "1.21", "1.2rc3" → "1.2", "1" and "1.0" → "1"; "" for malformed input. */
export function lang(v: string): string {
  const p = parse(v);
  if (p.minor === '' || (p.major === '1' && p.minor === '0')) return p.major;
  return `${p.major}.${p.minor}`;
}

export function isPrerelease(v: string): boolean {
  return parse(v).kind !== '';
}

/**
 * cmd/go's FromToolchain: "go1.21.3" → "1.21.3". A suffix after "-", space or tab is dropped
 * ("go1.21.3-custom" → "1.21.3"), but "+" is not a separator, so "go1.21.3+auto" is invalid.
 * Returns "" when the name is not a Go toolchain name.
 */
export function fromToolchain(name: string): string {
  if (!name.startsWith('go')) return '';
  let v = name.slice(2);
  const i = v.search(/[ \t-]/);
  if (i >= 0) v = v.slice(0, i);
  return isValid(v) ? v : '';
}

/** A user-typed version ("1.23.4", " go1.23.4\n") without the "go" prefix, or undefined if invalid. */
export function normalize(input: string): string | undefined {
  let v = input.trim();
  if (v.startsWith('go')) v = v.slice(2);
  return isValid(v) ? v : undefined;
}

/** A sorted copy, oldest first. The sort is stable: equal versions (1.19, 1.19.0) keep their order. */
export function sortAscending(vs: readonly string[]): string[] {
  return [...vs].sort(compare);
}
