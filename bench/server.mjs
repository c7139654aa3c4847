// A small static HTTP server on 127.0.0.1 (port 0) for the benchmarks: exact-path routes to a file on
// disk or an in-memory body, with ETag/If-None-Match and single-range requests, as a CDN would serve them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';

function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header || '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start, end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null; // null: unsatisfiable
}

/**
 * Starts the server. `route(pathname, source)` serves `source` at that path (the query string is
 * ignored); a source is `{ file }` or `{ body, type }`. Every request is counted in `hits`.
 */
export async function startServer() {
  const routes = new Map();
  const hits = [];
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    hits.push(`${req.method} ${pathname}`);
    const src = routes.get(pathname);
    if (!src || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(src ? 405 : 404).end();
      return;
    }
    let size, etag;
    if (src.file) {
      const st = await stat(src.file);
      size = st.size;
      etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    } else {
      size = src.body.length;
      etag = src.etag;
    }
    const headers = { 'content-type': src.type || 'application/octet-stream', etag, 'accept-ranges': 'bytes' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const range = req.headers.range ? parseRange(req.headers.range, size) : undefined;
    if (range === null) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const { start, end } = range || { start: 0, end: size - 1 };
    headers['content-length'] = String(end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || size === 0) res.end();
    else if (src.file) createReadStream(src.file, { start, end }).pipe(res);
    else res.end(src.body.subarray(start, end + 1));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    route(pathname, source) {
      const body = typeof source.body === 'string' ? Buffer.from(source.body) : source.body;
      const etag = body && `"${createHash('sha1').update(body).digest('hex')}"`;
      routes.set(pathname, { ...source, body, etag });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
