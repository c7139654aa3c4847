import { startMirror } from './mirror.mjs';
import { realGoTarball } from './realgo.mjs';
const go = await realGoTarball();
const { server, writeConfig } = await startMirror(go, '/tmp/im');
await writeConfig('/tmp/im');
console.log(server.url, go.path);
