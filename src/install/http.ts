// The only module that talks HTTP. Uses undici's request() (never stream(): nodejs/undici#5360 crashes the process
// when a server closes the connection right after the body; see download() for the same trap in request()).
// Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (CONNECT for https). file: URLs read a local mirror directory
// through the same two calls.
// Credentials: an Authorization header goes only to the origin it belongs to (credentials.ts decides), and undici's
// redirect interceptor drops Authorization, Cookie and Proxy-Authorization when a redirect changes the origin.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Dispatcher, EnvHttpProxyAgent, interceptors, request } from 'undici';
import { err, GoarmError, redact } from '../core/errors.js';
import { atCommandEnd } from '../core/exit.js';
import { isPublicHost } from './mirrors.js';
import { displayUrl, isFileUrl } from './url.js';

let dispatcher: Dispatcher | undefined;
let configuredStall: number | undefined;
/**
 * The stall timeout: a request fails (and is retried) when no byte arrives for this long, whether the server never
 * answers, stops mid-body or trickles slower than that. `stall_timeout` in config.toml; GOARM_STALL_TIMEOUT (seconds)
 * wins, for every command.
 */
export function setStallTimeout(seconds: number | undefined): void {
  if (seconds === configuredStall) return;
  configuredStall = seconds;
  void dispatcher?.close().catch(() => undefined); // its idle connections must not keep the process alive
  dispatcher = undefined;
}
const stallMs = () => {
  const env = Number(process.env.GOARM_STALL_TIMEOUT);
  return Math.round(1000 * (env > 0 ? env : (configuredStall ?? 30)));
};
// proxyTunnel: false sends plain-http requests to an http proxy in absolute form, as curl and Go do (many proxies
// allow CONNECT only to port 443); https always tunnels with CONNECT, so the proxy never sees its headers.
const agent = () => {
  if (!dispatcher) {
    const ms = stallMs();
    dispatcher = new EnvHttpProxyAgent({
      proxyTunnel: false,
      connect: { timeout: ms },
      headersTimeout: ms,
      bodyTimeout: ms,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
    atCommandEnd(closeHttp);
  }
  return dispatcher;
};

/** Drops the pooled connections: without it idle keep-alive sockets keep the process alive after the command. */
async function closeHttp(): Promise<void> {
  const d = dispatcher;
  dispatcher = undefined;
  await d?.destroy();
}

const ATTEMPTS = 5;
const baseDelay = () => Number(process.env.GOARM_RETRY_DELAY_MS ?? 250);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;
const debug = (line: string) => {
  if (process.env.GOARM_DEBUG) process.stderr.write(redact(line) + '\n');
};

export interface RequestOptions {
  /** tries before giving up on a transient failure (default 5); a caller with another mirror to try uses fewer */
  attempts?: number;
}

export { displayUrl, isFileUrl };
/** A missing file, over HTTP (404) or in a local mirror directory. */
export const isNotFound = (e: unknown) => e instanceof GoarmError && e.code === 'E_FILE_NOT_FOUND';

/**
 * Size caps for what is read into memory: a release's .asc is under 1 KiB, go.dev's full index about 2 MiB. A
 * server that sends more is not serving that file.
 */
export const MAX_SIGNATURE = 16 * 1024;
export const MAX_INDEX = 16 * 1024 * 1024;

interface Auth {
  header: string;
  source: string;
}
interface Target {
  url: string;
  shown: string;
  origin: string;
  headers: Record<string, string>;
  auth?: Auth;
  /** credentials that exist for this origin but were not sent: plain http to a host that is not this machine */
  withheld?: string;
}

const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
const warned = new Set<string>();

/**
 * userinfo in the URL wins; public hosts never get credentials; anything else asks credentials.ts (loaded lazily).
 * Credentials never travel over plain http, except to this machine: they are withheld, with a warning.
 */
async function target(url: string): Promise<Target> {
  const u = new URL(url);
  let auth: Auth | undefined;
  if (u.username || u.password) {
    auth = {
      header:
        'Basic ' +
        Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64'),
      source: 'the URL',
    };
    u.username = '';
    u.password = '';
  } else if (!isPublicHost(u.hostname)) {
    auth = await (await import('./credentials.js')).credentialFor(u);
  }
  let withheld: string | undefined;
  if (auth && u.protocol === 'http:' && !isLoopback(u.hostname)) {
    withheld = auth.source;
    auth = undefined;
    if (!warned.has(u.origin))
      process.stderr.write(
        `warning: not sending the credentials from ${withheld} to ${u.origin}: plain http would expose them; ` +
          "use the mirror's https:// URL\n",
      );
    warned.add(u.origin);
  }
  const headers: Record<string, string> = { 'user-agent': 'goarm' };
  if (auth) headers.authorization = auth.header;
  return { url: u.href, shown: u.href, origin: u.origin, headers, auth, withheld };
}

function httpError(t: Target, status: number): GoarmError {
  const url = t.shown;
  if (status === 404)
    return err(
      'E_FILE_NOT_FOUND',
      `not found (HTTP 404): ${url}`,
      'check index_url / download_base / mirror in config.toml, or whether the mirror has this file',
    );
  if (status === 401 || status === 403) {
    const login = `\`goarm login ${t.origin}\``;
    return t.auth
      ? err(
          'E_HTTP_AUTH',
          `${t.origin} refused the credentials from ${t.auth.source} (HTTP ${status}): ${url}`,
          `store valid ones with ${login} (a token, or user:password), or fix ~/.netrc / GOARM_MIRROR_TOKEN`,
        )
      : t.withheld
        ? err(
            'E_HTTP_AUTH',
            `access denied (HTTP ${status}): ${url}; the credentials from ${t.withheld} were not sent over plain http`,
            `use the mirror's https:// URL (goarm sends credentials over http only to localhost)`,
          )
        : err(
            'E_HTTP_AUTH',
            `access denied (HTTP ${status}): ${url} needs credentials`,
            `run ${login} (it asks for a token or user:password), ` +
              `or add machine ${new URL(url).hostname} to ~/.netrc, or set GOARM_MIRROR_TOKEN`,
          );
  }
  return err(
    'E_HTTP',
    `HTTP ${status} from ${url}`,
    retryable(status) ? 'the server failed repeatedly; try again later or use another mirror' : undefined,
  );
}

const STALLED = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function networkError(url: string, e: unknown): GoarmError {
  if (e instanceof GoarmError) return e;
  const code = (e as { code?: string }).code ?? (e as Error).name;
  if (STALLED.has(code))
    return err(
      'E_NETWORK',
      `${new URL(url).host} sent nothing for ${stallMs() / 1000} s (the stall timeout), repeatedly: ${url}`,
      'check the network and the mirror; on a very slow link raise stall_timeout in config.toml',
      e,
    );
  return err(
    'E_NETWORK',
    `cannot reach ${new URL(url).host}: ${code} ${(e as Error).message ?? ''}`.trim(),
    'check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then try again',
    e,
  );
}

/** Progress that earns a fresh set of retries: a flaky link that keeps cutting still completes, but a server that
 * trickles a byte per attempt does not retry forever. */
const REAL_PROGRESS = 256 * 1024;

/** Runs `fn` with backoff retries on 5xx, connection errors and stalls. An attempt that moved the download forward
 * by REAL_PROGRESS resets the count. */
async function withRetries(
  t: Target,
  fn: () => Promise<void>,
  progress: () => number = () => 0,
  attempts = ATTEMPTS,
): Promise<void> {
  for (let attempt = 1, seen = progress(); ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (progress() >= seen + REAL_PROGRESS) {
        seen = progress();
        attempt = 1;
      }
      const status = (e as { retryStatus?: number }).retryStatus;
      const transient = status !== undefined || !(e instanceof GoarmError);
      if (!transient || attempt >= attempts)
        throw status !== undefined ? httpError(t, status) : networkError(t.shown, e);
      debug(`retrying ${t.shown} (${(e as Error).message ?? status})`);
      await sleep(baseDelay() * 2 ** (attempt - 1));
    }
  }
}

const transientStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { retryStatus: status });

function fileError(url: string, e: unknown): GoarmError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return err(
      'E_FILE_NOT_FOUND',
      `not found: ${url}`,
      'check the mirror directory (index_url / download_base / --from), or sync it again with `goarm mirror sync`',
    );
  if (code === 'EISDIR')
    return err(
      'E_FILE_IS_DIR',
      `${url} is a directory`,
      'point index_url at the index.json inside it, or use `goarm install --from <dir>`',
    );
  return err('E_FILE', `cannot read ${url}: ${(e as Error).message}`, undefined, e);
}

export interface TextResponse {
  status: 200 | 304;
  body: string;
  etag?: string;
  lastModified?: string;
}

const tooLarge = (url: string, max: number) =>
  err(
    'E_TOO_LARGE',
    `${url} is larger than ${max} bytes, more than the file it should be can be`,
    'the server does not serve this file (a login page or a broken mirror?); check the URL or use another mirror',
  );

/** A body read into memory, refused as soon as it passes `max` bytes (an endless response costs nothing). */
async function readCapped(body: AsyncIterable<Buffer>, max: number, url: string): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > max) throw tooLarge(url, max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GET a small text resource (at most `maxBytes`), revalidating with an ETag and/or Last-Modified date. */
export async function getText(
  url: string,
  opts: { etag?: string; lastModified?: string; maxBytes: number } & RequestOptions,
): Promise<TextResponse> {
  if (isFileUrl(url)) {
    try {
      const path = fileURLToPath(url);
      if ((await stat(path)).size > opts.maxBytes) throw tooLarge(url, opts.maxBytes);
      return { status: 200, body: await readFile(path, 'utf8') };
    } catch (e) {
      throw e instanceof GoarmError ? e : fileError(url, e);
    }
  }
  const t = await target(url);
  let out: TextResponse | undefined;
  await withRetries(
    t,
    async () => {
      const headers = { ...t.headers };
      if (opts.etag) headers['if-none-match'] = opts.etag;
      if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
      debug(`GET ${t.shown}${t.auth ? ` (credentials from ${t.auth.source})` : ''}`);
      const res = await request(t.url, { dispatcher: agent(), headers });
      if (res.statusCode === 304) {
        await res.body.dump();
        out = { status: 304, body: '' };
        return;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
        throw httpError(t, res.statusCode);
      }
      const refused =
        notTheFile(t, res, undefined) ??
        (Number(res.headers['content-length'] ?? 0) > opts.maxBytes ? tooLarge(t.shown, opts.maxBytes) : undefined);
      if (refused) {
        await res.body.dump().catch(() => undefined); // reads at most 128 KiB, then closes
        throw refused;
      }
      const body = await readCapped(res.body as AsyncIterable<Buffer>, opts.maxBytes, t.shown);
      const { etag, 'last-modified': lastModified } = res.headers;
      out = {
        status: 200,
        body,
        etag: typeof etag === 'string' ? etag : undefined,
        lastModified: typeof lastModified === 'string' ? lastModified : undefined,
      };
    },
    undefined,
    opts.attempts,
  );
  return out!;
}

/** What identifies one version of a file: a resume is spliced only onto bytes with the same validators. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadSink {
  /** Bytes already held; the download resumes after them. */
  offset: number;
  /** The validators of the bytes held, sent as If-Range; set from each full response (record them with the bytes). */
  validators?: Validators;
  /** Called when a full (200) response starts, after `validators` is set: persist them (synchronously: the body
   * is flowing, and an await here lets a connection closed meanwhile drop what undici buffered). */
  onStart?(): void;
  write(chunk: Buffer): Promise<void> | void;
}
type DownloadOptions = { size?: number; onProgress?: (done: number) => void } & RequestOptions;

const header = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
const sameFile = (a: Validators | undefined, b: Validators) =>
  a !== undefined && (a.etag ? a.etag === b.etag : a.lastModified !== undefined && a.lastModified === b.lastModified);

/** A resume that cannot be spliced: the file changed, or the server answered another range. The held bytes go. */
const cannotResume = (url: string, why: string) =>
  err('E_HTTP_RANGE', `${url} ${why}`, 'the partial download was discarded; run the command again');

/** A response that cannot be the file: a web page (captive portal, login form) or the wrong length. */
function notTheFile(t: Target, res: Dispatcher.ResponseData, expected: number | undefined): GoarmError | undefined {
  const type = header(res.headers['content-type'])?.toLowerCase() ?? '';
  if (/^(text\/html|application\/xhtml\+xml)\b/.test(type))
    return err(
      'E_HTTP',
      `${t.shown} answered with a web page (${type.split(';')[0]}), not the file`,
      'a captive portal or a login page? open a browser to get through it, or use another mirror',
    );
  const length = header(res.headers['content-length']);
  if (expected !== undefined && length !== undefined && Number(length) !== expected)
    return err(
      'E_SIZE',
      `${t.shown} announced ${length} bytes where ${expected} were expected`,
      'the server does not serve the file the index lists; use another mirror',
    );
  return undefined;
}

/**
 * Streams `url` into `sink` from `sink.offset` on. A cut connection resumes with Range and If-Range from the bytes
 * already written, and only onto bytes whose validators match (a changed file is E_HTTP_RANGE, never spliced); a
 * server that ignores Range gets the bytes we already hold skipped when its validators match. `size` bounds the
 * transfer so a hostile server cannot fill the disk; a web page or a wrong Content-Length is refused at once.
 */
export async function download(url: string, sink: DownloadSink, opts: DownloadOptions = {}): Promise<void> {
  if (isFileUrl(url)) return copyFile(url, sink, opts);
  const t = await target(url);
  await withRetries(
    t,
    async () => {
      if (opts.size !== undefined && sink.offset === opts.size) return;
      const headers = { ...t.headers };
      const held = sink.offset;
      if (held > 0) {
        headers.range = `bytes=${held}-`;
        const v = sink.validators?.etag ?? sink.validators?.lastModified;
        if (v) headers['if-range'] = v;
      }
      debug(
        `GET ${t.shown}${headers.range ? ` (${headers.range})` : ''}` +
          `${t.auth ? ` (credentials from ${t.auth.source})` : ''}`,
      );
      // The body buffers up to the whole remaining file instead of pausing undici's parser: a paused parser hit by
      // the server closing the socket right after the body trips an uncatchable assertion (nodejs/undici#5360, seen
      // with request() too once the consumer applies backpressure). The index's size bounds the buffer.
      const highWaterMark = Math.max(64 * 1024, (opts.size ?? 64 * 2 ** 20) - held + 64 * 1024);
      const res = await request(t.url, { dispatcher: agent(), headers, highWaterMark });
      if (res.statusCode === 416 && held > 0 && held === opts.size) {
        await res.body.dump();
        return;
      }
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        await res.body.dump();
        if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
        throw httpError(t, res.statusCode);
      }
      const got = { etag: header(res.headers.etag), lastModified: header(res.headers['last-modified']) };
      const expected = opts.size === undefined ? undefined : res.statusCode === 200 ? opts.size : opts.size - held;
      const refused =
        notTheFile(t, res, expected) ??
        (res.statusCode === 206 && !header(res.headers['content-range'])?.startsWith(`bytes ${held}-`)
          ? cannotResume(t.shown, 'answered a resume request with the wrong range')
          : res.statusCode === 200 && held > 0 && !sameFile(sink.validators, got)
            ? cannotResume(t.shown, 'changed since the partial download started (its ETag/Last-Modified differ)')
            : undefined);
      if (refused) {
        await res.body.dump().catch(() => undefined); // reads at most 128 KiB, then closes
        throw refused;
      }
      if (res.statusCode === 200 && held === 0) {
        sink.validators = got;
        sink.onStart?.();
      }
      await pump(res.body, res.statusCode === 200 ? held : 0, sink, opts, t.shown);
      if (opts.size !== undefined && sink.offset < opts.size)
        throw new Error(`connection closed after ${sink.offset} of ${opts.size} bytes`);
    },
    () => sink.offset,
    opts.attempts,
  );
}

/**
 * Calls `each` for every chunk as the stream pushed it, one at a time. Not `for await`: its read() hands over
 * everything buffered as one new Buffer, and since the body may buffer much of the file (see above), that copy
 * cost an install ~0.5 s of CPU.
 */
function eachChunk(body: Readable, each: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let current = Promise.resolve(); // the chunk being handed over
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      // Not before the chunk under way is done: a retry resumes from the offset it leaves.
      void current.then(
        () => reject(e),
        () => reject(e),
      );
    };
    body.on('data', (chunk: Buffer) => {
      body.pause();
      current = each(chunk);
      current.then(() => void (failed || body.resume()), fail);
    });
    body.once('end', () => current.then(() => failed || resolve(), fail));
    body.once('error', fail);
    body.once('close', () => body.readableEnded || fail(new Error('the response body closed before its end')));
  });
}

async function pump(
  body: Readable,
  skip: number,
  sink: DownloadSink,
  opts: DownloadOptions,
  shown: string,
): Promise<void> {
  await eachChunk(body, async (chunk) => {
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      skip -= n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) return;
    }
    if (opts.size !== undefined && sink.offset + chunk.length > opts.size)
      throw err(
        'E_TOO_LARGE',
        `${shown} sent more bytes than the index says (${opts.size})`,
        'the mirror serves a different file; use another mirror',
      );
    await sink.write(chunk);
    sink.offset += chunk.length;
    opts.onProgress?.(sink.offset);
  });
}

/**
 * A file in a local mirror directory: no retries, a size that differs from the index is refused up front, and its
 * size and mtime are its validators.
 */
async function copyFile(url: string, sink: DownloadSink, opts: DownloadOptions): Promise<void> {
  const path = fileURLToPath(url);
  const st = await stat(path).catch((e) => {
    throw fileError(url, e);
  });
  if (st.isDirectory()) throw fileError(url, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (opts.size !== undefined && st.size !== opts.size)
    throw err(
      'E_SIZE',
      `${url} has ${st.size} bytes; the index says ${opts.size}`,
      'it is not the file the index lists (truncated or replaced); sync the mirror directory again',
    );
  const got = { etag: `file:${st.size}:${st.mtimeMs}` };
  if (sink.offset > 0 && !sameFile(sink.validators, got))
    throw cannotResume(url, 'changed since the partial download started');
  if (sink.offset === 0) {
    sink.validators = got;
    sink.onStart?.();
  }
  if (sink.offset >= st.size) return;
  try {
    await pump(createReadStream(path, { start: sink.offset }), 0, sink, opts, url);
  } catch (e) {
    throw e instanceof GoarmError ? e : fileError(url, e);
  }
}
