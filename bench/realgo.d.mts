// Types for realgo.mjs (the implementation is plain JS so that `node bench/run.mjs` can load it).
export interface RealGo {
  /** The cached tarball, e.g. /tmp/goarm-realgo-1.19.8-linux-amd64.tar.gz */
  path: string;
  /** The official file name, e.g. go1.19.8.linux-amd64.tar.gz */
  filename: string;
  /** Without the "go" prefix, e.g. "1.19.8" */
  version: string;
  os: string;
  arch: string;
  sha256: string;
  size: number;
}
export function debianGoRoot(env?: NodeJS.ProcessEnv): string;
export function inspectGoRoot(root: string): Promise<{ version: string; os: string; arch: string }>;
export function sha256File(file: string): Promise<string>;
export function realGoTarball(opts?: { root?: string; cacheDir?: string }): Promise<RealGo>;
