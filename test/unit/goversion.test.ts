import { describe, expect, it } from 'vitest';
import {
  compare,
  fromToolchain,
  isLang,
  isPrerelease,
  isValid,
  lang,
  max,
  normalize,
  parse,
  sortAscending,
  type Version,
} from '../../src/core/goversion.js';

// The tables below are copied from Go's own tests, case for case:
//   golang/go src/internal/gover/gover_test.go (commit fc1cdc327f8d): compareTests, parseTests,
//     langTests, isLangTests, isValidTests;
//   golang/go src/cmd/go/internal/gover/toolchain_test.go (commit 35268a996052): fromToolchainTests.
// Go has no table for Max; it is checked against compareTests instead.

const compareTests: [string, string, number][] = [
  ['', '', 0],
  ['x', 'x', 0],
  ['', 'x', 0],
  ['1', '1.1', -1],
  ['1.5', '1.6', -1],
  ['1.5', '1.10', -1],
  ['1.6', '1.6.1', -1],
  ['1.19', '1.19.0', 0],
  ['1.19rc1', '1.19', -1],
  ['1.20', '1.20.0', 0],
  ['1.20rc1', '1.20', -1],
  ['1.21', '1.21.0', -1],
  ['1.21', '1.21rc1', -1],
  ['1.21rc1', '1.21.0', -1],
  ['1.6', '1.19', -1],
  ['1.19', '1.19.1', -1],
  ['1.19rc1', '1.19', -1],
  ['1.19rc1', '1.19.1', -1],
  ['1.19rc1', '1.19rc2', -1],
  ['1.19.0', '1.19.1', -1],
  ['1.19rc1', '1.19.0', -1],
  ['1.19alpha3', '1.19beta2', -1],
  ['1.19beta2', '1.19rc1', -1],
  ['1.9.2rc2', '1.9.2', -1],
  ['1.9.2rc2', '1.9.2rc3', -1],
  ['1.9.2beta2', '1.9.2rc3', -1],
  ['1.9.2alpha1', '1.9.2beta2', -1],
  ['1.1', '1.99999999999999998', -1],
  ['1.99999999999999998', '1.99999999999999999', -1],
];

const v = (major: string, minor: string, patch: string, kind: string, pre: string): Version => ({
  major,
  minor,
  patch,
  kind,
  pre,
});
const parseTests: [string, Version][] = [
  ['1', v('1', '0', '0', '', '')],
  ['1.2', v('1', '2', '0', '', '')],
  ['1.2.3', v('1', '2', '3', '', '')],
  ['1.2rc3', v('1', '2', '', 'rc', '3')],
  ['1.20', v('1', '20', '0', '', '')],
  ['1.21', v('1', '21', '', '', '')],
  ['1.21rc3', v('1', '21', '', 'rc', '3')],
  ['1.21.0', v('1', '21', '0', '', '')],
  ['1.24', v('1', '24', '', '', '')],
  ['1.24rc3', v('1', '24', '', 'rc', '3')],
  ['1.24.0', v('1', '24', '0', '', '')],
  ['1.9.2rc2', v('1', '9', '2', 'rc', '2')],
  ['1.8.5rc4', v('1', '8', '5', 'rc', '4')],
  ['1.8.2beta2', v('1', '8', '2', 'beta', '2')],
  ['1.999testmod', v('1', '999', '', 'testmod', '')],
  ['1.99999999999999999', v('1', '99999999999999999', '', '', '')],
];

const langTests: [string, string][] = [
  ['1.2rc3', '1.2'],
  ['1.2.3', '1.2'],
  ['1.2', '1.2'],
  ['1', '1'],
  ['1.9.2rc2', '1.9'],
  ['1.8.5rc4', '1.8'],
  ['1.999testmod', '1.999'],
];

const isLangTests: [string, boolean][] = [
  ['1.2rc3', false],
  ['1.2.3', false],
  ['1.9.2rc2', false],
  ['1.8.5rc5', false],
  ['1.999testmod', false],
  ['1.22', true],
  ['1.21', true],
  ['1.20', false], // == 1.20.0
  ['1.19', false], // == 1.20.0
  ['1.3', false], // == 1.3.0
  ['1.2', false], // == 1.2.0
  ['1', false], // == 1.0.0
];

const isValidTests: [string, boolean][] = [
  ['1.2rc3', true],
  ['1.2.3', true],
  ['1.999testmod', true],
  ['1.600+auto', false],
  ['1.22', true],
  ['1.21.0', true],
  ['1.21rc2', true],
  ['1.21', true],
  ['1.20.0', true],
  ['1.20', true],
  ['1.19', true],
  ['1.8.5rc5', true],
  ['1.9.2rc2', true],
  ['1.9.2beta1', true],
  ['1.9.2alpha', true],
  ['1.3', true],
  ['1.2', true],
  ['1', true],
];

const fromToolchainTests: [string, string][] = [
  ['go1.2.3', '1.2.3'],
  ['1.2.3', ''],
  ['go1.2.3+bigcorp', ''],
  ['go1.2.3-bigcorp', '1.2.3'],
  ['go1.2.3-bigcorp more text', '1.2.3'],
  ['gccgo-go1.23rc4', ''],
  ['gccgo-go1.23rc4-bigdwarf', ''],
];

describe("Go's own tables", () => {
  it.each(compareTests)('compare(%j, %j) = %d, and reversed the opposite', (a, b, want) => {
    expect(compare(a, b)).toBe(want);
    expect(compare(b, a)).toBe(-want || 0);
  });
  it.each(compareTests)('max(%j, %j) follows compare', (a, b, c) => {
    expect(max(a, b)).toBe(c < 0 ? b : a);
    expect(max(b, a)).toBe(c < 0 ? b : c > 0 ? a : b); // equal: the first argument wins
  });
  it.each(parseTests)('parse(%j)', (s, want) => expect(parse(s)).toEqual(want));
  it.each(langTests)('lang(%j) = %j', (s, want) => expect(lang(s)).toBe(want));
  it.each(isLangTests)('isLang(%j) = %j', (s, want) => expect(isLang(s)).toBe(want));
  it.each(isValidTests)('isValid(%j) = %j', (s, want) => expect(isValid(s)).toBe(want));
  it.each(fromToolchainTests)('fromToolchain(%j) = %j', (s, want) => expect(fromToolchain(s)).toBe(want));
});

describe('goversion beyond the Go tables', () => {
  it('orders a language version before its prereleases and its first release', () => {
    expect(compare('1.21', '1.21rc1')).toBe(-1);
    expect(compare('1.21rc1', '1.21.0')).toBe(-1);
    expect(compare('1.21.0', '1.21.1')).toBe(-1);
    expect(compare('1.19', '1.19.0')).toBe(0);
    expect(compare('1', '1.0.0')).toBe(0);
  });

  it('rejects leading zeros, prefixes, stray text and uppercase prerelease kinds', () => {
    for (const bad of [
      '01.2',
      '1.02',
      '1.2.03',
      '1.21rc01',
      'go1.21',
      'v1.21.0',
      '1.',
      '1.21.',
      '.1',
      '1..2',
      '1.21.0.1',
      '1.21RC1',
      '1.21-rc1',
      ' 1.21',
      '1.21/../x',
      '',
    ]) {
      expect(isValid(bad), bad).toBe(false);
    }
    expect(isValid('1.0')).toBe(true);
    expect(isValid('0')).toBe(true);
  });

  it('compares malformed versions equal to each other and below every valid one', () => {
    expect(compare('garbage', '1.02')).toBe(0);
    expect(compare('garbage', '0')).toBe(-1);
    expect(compare('1.21', 'go1.99')).toBe(1); // the "go" prefix makes it malformed
  });

  it('compares numbers of any length as decimals', () => {
    expect(compare('1.100', '1.99')).toBe(1);
    expect(compare('1.21rc10', '1.21rc9')).toBe(1);
    expect(compare('2', '1.99999999999999999999999.1')).toBe(1);
  });

  it('gives Lang of 1.0.x and of malformed input as Go does', () => {
    expect(lang('1.0')).toBe('1');
    expect(lang('1.0.3')).toBe('1');
    expect(lang('1.21')).toBe('1.21');
    expect(lang('bad')).toBe('');
  });

  it('reports prereleases, including old patch prereleases', () => {
    expect(isPrerelease('1.22rc1')).toBe(true);
    expect(isPrerelease('1.21beta1')).toBe(true);
    expect(isPrerelease('1.9.2rc2')).toBe(true);
    expect(isPrerelease('1.22.0')).toBe(false);
    expect(isPrerelease('1.22')).toBe(false);
    expect(isPrerelease('nonsense')).toBe(false);
  });

  it('drops toolchain suffixes after "-", space or tab only', () => {
    expect(fromToolchain('go1.21.3')).toBe('1.21.3');
    expect(fromToolchain('go1.21.3-custom')).toBe('1.21.3');
    expect(fromToolchain('go1.21.3\tX:foo')).toBe('1.21.3');
    expect(fromToolchain('go1.21.3+auto')).toBe('');
    expect(fromToolchain('go')).toBe('');
    expect(fromToolchain('')).toBe('');
  });

  it('normalizes user input with or without "go" and surrounding whitespace', () => {
    expect(normalize('1.23.4')).toBe('1.23.4');
    expect(normalize('go1.23.4')).toBe('1.23.4');
    expect(normalize('  go1.24rc1\n')).toBe('1.24rc1');
    expect(normalize('1.23')).toBe('1.23');
    for (const bad of ['', '   ', 'go', 'gogo1.2', 'latest', '1.23.04', 'go 1.23', 'go1.23.4-custom', '../1.2']) {
      expect(normalize(bad), bad).toBeUndefined();
    }
  });

  it('sorts a copy, oldest first, stable for equal versions', () => {
    const input = ['1.21.0', '1.9.2', '1.21rc1', '1.19.0', '1.21', '1.19', '1.10', '1.9.2rc2', '1.22beta1'];
    const frozen = Object.freeze([...input]);
    const sorted = sortAscending(frozen);
    expect(sorted).toEqual(['1.9.2rc2', '1.9.2', '1.10', '1.19.0', '1.19', '1.21', '1.21rc1', '1.21.0', '1.22beta1']);
    expect(frozen).toEqual(input);
    expect(sorted).not.toBe(frozen);
  });
});
