import { describe, expect, it } from 'vitest';
import { GoarmError, redact } from '../../src/core/errors.js';
import { authHeader, originOf, parseNetrc } from '../../src/install/credentials.js';
import {
  fileSources,
  fromMirror,
  isPublicHost,
  locationProblem,
  mirrorProblem,
  resolveMirrors,
  splitEntries,
  toLocation,
} from '../../src/install/mirrors.js';

describe('mirror entries', () => {
  it('resolves presets to a trusted pair and file sources, URLs and paths to file sources', () => {
    expect(resolveMirrors(['china'], '/h')).toEqual({
      pair: { index: 'https://golang.google.cn/dl/?mode=json&include=all', official: 'https://golang.google.cn/dl/' },
      files: [],
    });
    expect(resolveMirrors(['ustc', 'official'], '/h')).toEqual({
      pair: { index: 'https://golang.google.cn/dl/?mode=json&include=all', official: 'https://golang.google.cn/dl/' },
      files: ['https://mirrors.ustc.edu.cn/golang/', 'https://dl.google.com/go/'],
    });
    expect(resolveMirrors(['https://a.example/go', 'rel/dir', '/abs/dir', 'file:///x/'], '/h')).toEqual({
      files: ['https://a.example/go/', 'file:///h/rel/dir/', 'file:///abs/dir/', 'file:///x/'],
    });
    expect(fileSources({ mirrors: ['https://a/', 'https://b/'], downloadBase: 'https://a/' })).toEqual([
      'https://a/',
      'https://b/',
    ]);
    expect(splitEntries('ustc, china  https://x/')).toEqual(['ustc', 'china', 'https://x/']);
  });

  it('refuses unknown presets and other schemes; accepts paths', () => {
    expect(mirrorProblem('tuna')).toMatch(
      /^unknown mirror preset "tuna" \(presets: official, china, ustc, aliyun, nju; a directory is written \.\/tuna\)$/,
    );
    expect(locationProblem('ftp://x/')).toBe('"ftp://x/" is not an http(s) or file: URL, nor a path');
    expect([
      locationProblem('./m'),
      locationProblem('/srv/m'),
      locationProblem('file:///srv/m'),
      locationProblem('http://h/'),
    ]).toEqual([undefined, undefined, undefined, undefined]);
    expect(toLocation('/srv/go mirror', '/', true)).toBe('file:///srv/go%20mirror/');
  });

  it('--from points the index and the files at the directory, keeping the official host for a missing .asc', () => {
    const cfg = { indexUrl: 'https://go.dev/x', downloadBase: 'https://dl.google.com/go/', trustedKeys: [] };
    expect(fromMirror(cfg, 'm', '/w')).toEqual({
      ...cfg,
      indexUrl: 'file:///w/m/index.json',
      mirrors: ['file:///w/m/'],
    });
    expect(fromMirror(cfg, 'https://h/m')).toMatchObject({
      indexUrl: 'https://h/m/index.json',
      mirrors: ['https://h/m/'],
    });
    expect(() => fromMirror(cfg, 'gopher://h/')).toThrow(GoarmError);
  });

  it('knows the public hosts that never get credentials', () => {
    for (const h of ['go.dev', 'dl.google.com', 'golang.google.cn', 'mirrors.ustc.edu.cn', 'DL.GOOGLE.COM'])
      expect(isPublicHost(h)).toBe(true);
    expect(isPublicHost('artifactory.example.com')).toBe(false);
  });

  it("Google's hosts are a suffix rule, not a list of names", () => {
    for (const h of [
      'storage.googleapis.com',
      'dl-ssl.google.com',
      'redirector.gvt1.com',
      'proxy.golang.org',
      'dl.google.com.',
    ])
      expect(isPublicHost(h), h).toBe(true);
    for (const h of ['evilgoogle.com', 'google.com.evil.example', 'go.dev.example.com', 'notgo.dev'])
      expect(isPublicHost(h), h).toBe(false);
  });

  it('redact() masks URL passwords holding "/", ":" and "@", however they are written', () => {
    for (const url of [
      'https://alice:s3/cr:e@t@mirror.example.com/go/',
      'https://alice:s3%2Fcr%3Ae%40t@mirror.example.com/go/',
      'https://tok@en@mirror.example.com/go/',
    ]) {
      const out = redact(`error: "${url}" is not valid; files from: ${url}, then https://dl.google.com/go/`);
      expect(out).not.toMatch(/s3|cr|e%40t|tok|alice/);
      expect(out).toContain('https://***@mirror.example.com/go/');
      expect(out).toContain('then https://dl.google.com/go/');
    }
  });
});

describe('credentials', () => {
  it('parses netrc like Go: machine entries, quoted values, macdef skipped, default ignored', () => {
    const text = [
      'machine a.example login alice password "p w"',
      'macdef init',
      'machine evil.example login x password y',
      '',
      'machine b.example:8443',
      '  login bob',
      '  account ignored',
      '  password s3',
      'default login anyone password everywhere',
      'machine nopass.example login carol',
    ].join('\n');
    expect(parseNetrc(text)).toEqual([
      { machine: 'a.example', login: 'alice', password: 'p w' },
      { machine: 'b.example:8443', login: 'bob', password: 's3' },
    ]);
  });

  it('user:password is Basic, anything else a bearer token', () => {
    expect(authHeader('alice:pw')).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`);
    expect(authHeader('eyJ0eXAi.abc')).toBe('Bearer eyJ0eXAi.abc');
  });

  it('stores logins by origin and refuses public hosts and URLs with credentials', () => {
    expect(originOf('https://art.example.com/artifactory/go/')).toBe('https://art.example.com');
    expect(originOf('art.example.com:8443')).toBe('https://art.example.com:8443');
    expect(originOf('http://127.0.0.1:8081/x')).toBe('http://127.0.0.1:8081');
    expect(() => originOf('https://dl.google.com/go/')).toThrow(/public host/);
    expect(() => originOf('https://u:p@art.example.com/')).toThrow(/must not contain credentials/);
    expect(() => originOf('file:///x')).toThrow(/take no credentials/);
  });
});
