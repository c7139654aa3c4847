// Servers for the mirror, credential and proxy tests, all on 127.0.0.1 port 0, all closed by the caller.
//
//   serveDir(dir, { auth? })       a plain static web server over a directory (what a team would put a synced
//                                  mirror behind); auth: a Gate that must accept the Authorization header.
//   authGateway(mirror, gate, { redirectTarballs? })  an Artifactory-like front for a Mirror: requests without an
//                                  accepted Authorization get 401; with redirectTarballs, tarball GETs answer 302 to
//                                  the mirror's own origin (another origin, like a CDN/S3 behind Artifactory).
//   startProxy()                   an HTTP forward proxy that also tunnels CONNECT, logging what it saw and keeping
//                                  every byte it relayed from the client (to prove what a proxy can and cannot read).
//   tlsFront(port)                 TLS in front of a plain 127.0.0.1 server; cert made by openssl, CA file for
//                                  NODE_EXTRA_CA_CERTS. Returns { url, caFile, close }.
//   leaks(secret, texts, dirs)     every place a secret (raw or in a Basic header) shows up: [] is the goal.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join, normalize } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { tempHome } from '../helpers/cli.js';
import type { Mirror } from '../helpers/mirror.js';

export interface Logged {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}
export type Gate = (authorization: string | undefined) => boolean;
export interface Running {
  url: string;
  requests: Logged[];
  close(): Promise<void>;
}

const basic = (userPass: string) => 'Basic ' + Buffer.from(userPass).toString('base64');
/** Accepts Basic user:password and, if given, Bearer token. */
export const gate =
  (userPass: string, bearer?: string): Gate =>
  (h) =>
    h === basic(userPass) || (bearer !== undefined && h === `Bearer ${bearer}`);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
function closer(server: Server | ReturnType<typeof createTlsServer>, sockets?: Set<Socket>) {
  return async () => {
    for (const s of sockets ?? []) s.destroy();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
}

export async function serveDir(dir: string, opts: { auth?: Gate } = {}): Promise<Running> {
  const requests: Logged[] = [];
  const server = createServer(async (req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    if (opts.auth && !opts.auth(req.headers.authorization))
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="go"' }).end('unauthorized\n');
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const st = await stat(join(dir, rel)).catch(() => undefined);
    if (rel.startsWith('..') || !st?.isFile()) return void res.writeHead(404).end('not found\n');
    res.writeHead(200, { 'content-length': String(st.size) });
    createReadStream(join(dir, rel)).pipe(res);
  });
  return { url: await listen(server), requests, close: closer(server) };
}

export async function authGateway(
  mirror: Mirror,
  accept: Gate,
  opts: { redirectTarballs?: boolean } = {},
): Promise<Running> {
  const requests: Logged[] = [];
  const target = new URL(mirror.url);
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    if (!accept(req.headers.authorization))
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="artifactory"' }).end('unauthorized\n');
    if (opts.redirectTarballs && /\.tar\.gz$/.test(req.url ?? ''))
      return void res.writeHead(302, { location: mirror.url + req.url }).end();
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return { url: await listen(server), requests, close: closer(server) };
}

export interface Proxy extends Running {
  connects: string[];
  forwarded: string[];
  seen(): string;
}

export async function startProxy(): Promise<Proxy> {
  const connects: string[] = [];
  const forwarded: string[] = [];
  const relayed: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    // absolute-form request: GET http://host:port/path
    forwarded.push(`${req.method} ${req.url}`);
    relayed.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`));
    const u = new URL(req.url ?? '');
    const up = httpRequest(
      { host: u.hostname, port: u.port, method: req.method, path: u.pathname + u.search, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const up = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) {
        relayed.push(head);
        up.write(head);
      }
      client.on('data', (b: Buffer) => relayed.push(b));
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  const url = await listen(server);
  return {
    url,
    requests: [],
    connects,
    forwarded,
    seen: () => Buffer.concat(relayed).toString('latin1'),
    close: closer(server, sockets),
  };
}

const run = promisify(execFile);

/** TLS termination for a plain server on 127.0.0.1:port, with a throw-away certificate for 127.0.0.1. */
export async function tlsFront(port: number): Promise<{ url: string; caFile: string; close(): Promise<void> }> {
  const dir = await tempHome('goarm-tls-');
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: await readFile(key), cert: await readFile(cert) }, (tls) => {
    const up = connect(port, '127.0.0.1');
    sockets.add(up);
    tls.pipe(up).pipe(tls);
    up.on('error', () => tls.destroy());
    tls.on('error', () => up.destroy());
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile: cert,
    close: closer(server, sockets),
  };
}

/**
 * Where `secret` appears: in any of `texts` (by label), or in any file under `dirs`;
 * raw or base64 in a Basic header.
 */
export async function leaks(secret: string, texts: Record<string, string>, dirs: string[] = []): Promise<string[]> {
  const forms = [secret, Buffer.from(secret).toString('base64')];
  const user = secret.includes(':') ? secret.slice(secret.indexOf(':') + 1) : undefined;
  if (user) forms.push(user); // the password alone
  const found = Object.entries(texts)
    .filter(([, t]) => forms.some((f) => t.includes(f)))
    .map(([k]) => k);
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const t = (await readFile(p)).toString('latin1');
        if (forms.some((f) => t.includes(f))) found.push(p);
      }
    }
  };
  for (const d of dirs) await walk(d);
  return found;
}
