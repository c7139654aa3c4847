// The real Go toolchain for e2e tests: Debian's golang-1.19-go repacked as an official release tarball.
// bench/realgo.mjs is the one implementation (the benchmark loads it from plain Node); this is its typed face.
export { realGoTarball, type RealGo } from '../../bench/realgo.mjs';
