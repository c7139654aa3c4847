// A local stand-in for vuln.go.dev on 127.0.0.1:0, in its exact layout: index/db.json {modified},
// index/modules.json [{path, vulns: [{id, modified, fixed?}]}], ID/<id>.json (OSV). db.json has an ETag (304).
//
//   const db = await startVulnDb([osv({...}), ...]);  db.url (ends in /), db.requests (paths), db.close()
//   osv({ id, module?: 'stdlib'|'toolchain', ranges: [[introduced, fixed?], ...], imports, aliases? })
//       an OSV entry of the real shape: SEMVER ranges with introduced/fixed events, ecosystem_specific.imports.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OsvSpec {
  id: string;
  module?: 'stdlib' | 'toolchain';
  ranges: [string, string?][];
  imports: string[];
  aliases?: string[];
  modified?: string;
}

export function osv(s: OsvSpec) {
  return {
    schema_version: '1.3.1',
    id: s.id,
    modified: s.modified ?? '2024-05-01T00:00:00Z',
    published: '2024-04-01T00:00:00Z',
    aliases: s.aliases ?? [],
    summary: `Test vulnerability ${s.id} in ${s.imports.join(', ')}`,
    details: 'A fixture entry.',
    affected: [
      {
        package: { name: s.module ?? 'stdlib', ecosystem: 'Go' },
        ranges: [
          {
            type: 'SEMVER',
            events: s.ranges.flatMap(([introduced, fixed]) => [{ introduced }, ...(fixed ? [{ fixed }] : [])]),
          },
        ],
        ecosystem_specific: { imports: s.imports.map((path) => ({ path, symbols: ['Serve'] })) },
      },
    ],
    references: [{ type: 'FIX', url: 'https://go.dev/cl/1' }],
    database_specific: { url: `https://pkg.go.dev/vuln/${s.id}`, review_status: 'REVIEWED' },
  };
}
type Entry = ReturnType<typeof osv>;

export async function startVulnDb(entries: Entry[]) {
  const requests: string[] = [];
  const files = () => {
    const modified =
      entries
        .map((e) => e.modified)
        .sort()
        .pop() ?? '2024-01-01T00:00:00Z';
    const byModule = new Map<string, { id: string; modified: string; fixed?: string }[]>();
    for (const e of entries)
      for (const a of e.affected) {
        const fixed = a.ranges[0].events.filter((ev) => 'fixed' in ev).pop() as { fixed?: string } | undefined;
        const list = byModule.get(a.package.name) ?? [];
        list.push({ id: e.id, modified: e.modified, ...(fixed?.fixed ? { fixed: fixed.fixed } : {}) });
        byModule.set(a.package.name, list);
      }
    // A module that is not the standard library, as the real index has thousands of them.
    byModule.set('golang.org/x/net', [{ id: 'GO-2023-9999', modified, fixed: '0.17.0' }]);
    const out = new Map<string, string>([
      ['/index/db.json', JSON.stringify({ modified })],
      ['/index/modules.json', JSON.stringify([...byModule].map(([path, vulns]) => ({ path, vulns })))],
    ]);
    for (const e of entries) out.set(`/ID/${e.id}.json`, JSON.stringify(e));
    return out;
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files().get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end('not found');
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (req.url === '/index/db.json' && req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    requests,
    entries,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
