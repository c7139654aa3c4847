// A local stand-in for go.dev/dl (the JSON release index) and dl.google.com/go (tarballs + .asc), on 127.0.0.1:0.
//
//   const m = await startMirror();  ...  await m.close();   // always close (afterAll/finally)
//   m.addRelease({ version: '1.23.4', stable: true, files: [{ os, arch, body, asc?, sha256? }] })
//       asc: armored signature served at <file>.asc (404 when null/absent); sha256 overrides the index hash.
//       A "source" entry (go1.23.4.src.tar.gz) is added like in the real index. Re-adding a version replaces it.
//   m.indexUrl      http://127.0.0.1:PORT/dl/?mode=json&include=all  (official shape, newest first, ETag/304;
//                   without include=all only stable releases; without mode=json an HTML page, as go.dev does)
//   m.downloadBase  http://127.0.0.1:PORT/files/   (+ filename; Range -> 206/416, If-Range, HEAD, ETag)
//                   /dl/<filename> redirects (302) there, as go.dev/dl/<filename> does.
//   m.fault(pathSuffix, f)   next requests whose pathname ends with pathSuffix get the fault, `times` times
//                            (default: every time): { status } | { cutAfterBytes } (headers + N body bytes, then
//                            the connection closes) | { body } (replaces the response body) | { tamper: true }
//                            (one byte of the body flipped, index hash kept) | { throttle: { bytes, everyMs } }
//                            (the body in slices of `bytes`, one every `everyMs`). m.clearFaults() removes them all.
//   m.requests               every request: { method, path (with query), range?, headers }
//   m.bytesServed(suffix)    200/206 body bytes sent for pathnames ending with suffix (to assert "downloaded once")
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { goArchiveName } from './gotree.js';

export interface MirrorFile {
  os: string;
  arch: string;
  body: Buffer;
  asc?: string | null;
  sha256?: string;
}
export interface MirrorRelease {
  version: string;
  stable: boolean;
  files: MirrorFile[];
}
export type Fault = (
  | { status: number }
  | { cutAfterBytes: number }
  | { body: string }
  | { tamper: true }
  | { throttle: { bytes: number; everyMs: number } }
) & {
  times?: number;
};
export interface LoggedRequest {
  method: string;
  path: string;
  range?: string;
  headers: IncomingHttpHeaders;
}

export interface Mirror {
  url: string;
  indexUrl: string;
  downloadBase: string;
  requests: LoggedRequest[];
  addRelease(release: MirrorRelease): void;
  fault(pathSuffix: string, f: Fault): void;
  clearFaults(): void;
  bytesServed(pathSuffix: string): number;
  close(): Promise<void>;
}

interface Served {
  body: Buffer;
  asc: string | null;
}
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Sort key for Go release names: 1.21rc2 < 1.21.0 (= "1.21" before 1.21) < 1.21.1. */
function versionKey(v: string): number[] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(v.replace(/^go/, ''));
  if (!m) throw new Error(`mirror: not a Go version: ${v}`);
  return [+m[1], +m[2], m[4] ? (m[4] === 'beta' ? 0 : 1) : 2, +(m[5] ?? 0), +(m[3] ?? 0)];
}
const newestFirst = (a: string, b: string) => {
  const [x, y] = [versionKey(a), versionKey(b)];
  const i = x.findIndex((n, j) => n !== y[j]);
  return i < 0 ? 0 : y[i] - x[i];
};

export async function startMirror(): Promise<Mirror> {
  const releases = new Map<string, { version: string; stable: boolean; files: Record<string, unknown>[] }>();
  const files = new Map<string, Served>();
  const faults: { suffix: string; f: Fault; left: number }[] = [];
  const served = new Map<string, number>();
  const requests: LoggedRequest[] = [];

  const takeFault = (pathname: string): Fault | undefined => {
    const i = faults.findIndex((x) => pathname.endsWith(x.suffix));
    if (i < 0) return undefined;
    if (--faults[i].left <= 0) return faults.splice(i, 1)[0].f;
    return faults[i].f;
  };

  const count = (pathname: string, n: number) => served.set(pathname, (served.get(pathname) ?? 0) + n);

  function deliver(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    status: number,
    headers: Record<string, string>,
    body: Buffer,
    fault?: Fault,
  ) {
    if (fault && 'tamper' in fault && body.length > 0) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    if (req.method === 'HEAD')
      return void res.writeHead(status, { ...headers, 'content-length': String(body.length) }).end();
    if (fault && 'cutAfterBytes' in fault) {
      // Raw write so the bytes reach the wire before we hang up; Content-Length promises the whole body.
      const part = body.subarray(0, fault.cutAfterBytes);
      const head = [
        `HTTP/1.1 ${status} ${status === 206 ? 'Partial Content' : 'OK'}`,
        ...Object.entries({ ...headers, 'content-length': String(body.length) }).map(([k, v]) => `${k}: ${v}`),
      ];
      count(pathname, part.length);
      res.socket!.write(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), part]), () =>
        res.socket?.destroy(),
      );
      return;
    }
    if (status < 300) count(pathname, body.length);
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    if (fault && 'throttle' in fault) {
      const { bytes, everyMs } = fault.throttle;
      const next = (at: number) => {
        if (res.destroyed) return;
        if (at >= body.length) return void res.end();
        res.write(body.subarray(at, at + bytes));
        setTimeout(next, everyMs, at + bytes);
      };
      return next(0);
    }
    res.end(body);
  }

  function serveIndex(req: IncomingMessage, res: ServerResponse, url: URL, fault?: Fault) {
    if (url.searchParams.get('mode') !== 'json')
      return deliver(
        req,
        res,
        url.pathname,
        200,
        { 'content-type': 'text/html; charset=utf-8' },
        Buffer.from('<!DOCTYPE html><title>Downloads</title>\n'),
        fault,
      );
    const all = url.searchParams.get('include') === 'all';
    const list = [...releases.values()]
      .filter((r) => all || r.stable)
      .sort((a, b) => newestFirst(a.version, b.version));
    const body = Buffer.from(fault && 'body' in fault ? fault.body : JSON.stringify(list, null, 1));
    const etag = `"${sha256(body).slice(0, 20)}"`;
    const inm = String(req.headers['if-none-match'] ?? '')
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''));
    if (inm.includes(etag) || inm.includes('*')) return void res.writeHead(304, { etag }).end();
    deliver(req, res, url.pathname, 200, { 'content-type': 'application/json', etag }, body, fault);
  }

  function serveFile(req: IncomingMessage, res: ServerResponse, pathname: string, fault?: Fault) {
    const name = decodeURIComponent(pathname.slice('/files/'.length));
    const file = files.get(name.replace(/\.asc$/, ''));
    const asc = name.endsWith('.asc');
    if (!file || (asc && file.asc === null))
      return deliver(req, res, pathname, 404, { 'content-type': 'text/plain' }, Buffer.from('Not Found\n'));
    const body = fault && 'body' in fault ? Buffer.from(fault.body) : asc ? Buffer.from(file.asc!) : file.body;
    const etag = `"${sha256(body).slice(0, 20)}"`;
    const headers: Record<string, string> = {
      'content-type': asc ? 'application/pgp-signature' : 'application/x-gzip',
      'accept-ranges': 'bytes',
      etag,
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? '').trim());
    const ifRange = req.headers['if-range'];
    if (!range || (range[1] === '' && range[2] === '') || (ifRange !== undefined && ifRange !== etag))
      return deliver(req, res, pathname, 200, headers, body, fault);
    const size = body.length;
    const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start >= size || start > end)
      return deliver(req, res, pathname, 416, { 'content-range': `bytes */${size}` }, Buffer.alloc(0));
    deliver(
      req,
      res,
      pathname,
      206,
      { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
      body.subarray(start, end + 1),
      fault,
    );
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      range: req.headers.range,
      headers: req.headers,
    });
    const fault = takeFault(url.pathname);
    if (fault && 'status' in fault)
      return deliver(
        req,
        res,
        url.pathname,
        fault.status,
        { 'content-type': 'text/plain' },
        Buffer.from(`injected fault: HTTP ${fault.status}\n`),
      );
    if (url.pathname === '/dl/' || url.pathname === '/dl') return serveIndex(req, res, url, fault);
    if (url.pathname.startsWith('/dl/'))
      return void res.writeHead(302, { location: '/files/' + url.pathname.slice(4) }).end();
    if (url.pathname.startsWith('/files/')) return serveFile(req, res, url.pathname, fault);
    deliver(req, res, url.pathname, 404, { 'content-type': 'text/plain' }, Buffer.from('Not Found\n'));
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    indexUrl: `${base}/dl/?mode=json&include=all`,
    downloadBase: `${base}/files/`,
    requests,
    addRelease({ version, stable, files: list }) {
      const v = 'go' + version.replace(/^go/, '');
      versionKey(v);
      for (const old of releases.get(v)?.files ?? []) files.delete(String(old.filename));
      const source = gzipSync(Buffer.from(`source of ${v} (goarm test fixture)\n`));
      const add = (
        filename: string,
        os: string,
        arch: string,
        kind: string,
        body: Buffer,
        asc: string | null,
        hash?: string,
      ) => {
        const entry = { filename, os, arch, version: v, sha256: hash ?? sha256(body), size: body.length, kind };
        files.set(filename, { body, asc });
        return entry;
      };
      const entries = [
        add(`${v}.src.tar.gz`, '', '', 'source', source, null),
        ...list.map((f) =>
          add(goArchiveName(v, f.os, f.arch), f.os, f.arch, 'archive', f.body, f.asc ?? null, f.sha256),
        ),
      ];
      releases.set(v, { version: v, stable, files: entries });
    },
    fault(suffix, f) {
      faults.push({ suffix, f, left: f.times ?? Infinity });
    },
    clearFaults() {
      faults.length = 0;
    },
    bytesServed(suffix) {
      let n = 0;
      for (const [p, b] of served) if (p.endsWith(suffix)) n += b;
      return n;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok())));
    },
  };
}
