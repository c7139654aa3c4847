// `goarm config list|get|set|unset`: the global config.toml, edited in place (comments survive).
import { isAbsolute, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { err, redact } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { loggedIn } from '../install/credentials.js';
import { fileSources, isPresetName } from '../install/mirrors.js';
import { GLOBAL_KEYS, type GlobalConfig, loadGlobalConfig, setGlobalValue } from '../select/config.js';
import { out, printJson } from './common.js';

/** The effective settings (after env overrides and mirror presets), as `config list --json` prints them. */
function effective(cfg: GlobalConfig): Record<string, unknown> {
  return {
    index_url: redact(cfg.indexUrl),
    download_base: redact(cfg.downloadBase),
    mirror: (cfg.mirror ?? []).map(redact),
    trusted_keys: cfg.trustedKeys,
    default: cfg.default ?? null,
    auto_install: cfg.autoInstall,
    file_sources: fileSources(cfg).map(redact),
    stall_timeout: cfg.stallTimeout ?? 30,
  };
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v));

const LOCATIONS = new Set(['index_url', 'download_base', 'mirror', 'trusted_keys']);
/** A relative path typed on the command line means the working directory, not GOARM_HOME where config.toml lives. */
const absolute = (v: string, key: string) =>
  /^[a-z][a-z0-9+.-]*:/i.test(v) || (key === 'mirror' && isPresetName(v)) || v.startsWith('~/') || isAbsolute(v)
    ? v
    : resolve(v);

function parseValue(key: string, values: string[]): string | string[] | boolean {
  if (LOCATIONS.has(key)) values = values.map((v) => absolute(v, key));
  const one = () => {
    if (values.length !== 1)
      throw err('E_USAGE', `${key} takes one value, not ${values.length}`, `goarm config set ${key} <value>`);
    return values[0];
  };
  if (key === 'auto_install') {
    const v = one();
    if (v !== 'true' && v !== 'false')
      throw err(
        'E_USAGE',
        `auto_install must be true or false, not ${JSON.stringify(v)}`,
        'goarm config set auto_install true',
      );
    return v === 'true';
  }
  if (key === 'trusted_keys') return values;
  if (key === 'mirror') return values.length === 1 ? values[0] : values;
  return one();
}

async function summary(): Promise<void> {
  const cfg = await loadGlobalConfig(goarmHome());
  out(`hashes from:  ${redact(cfg.indexUrl)}`);
  out(`files from:   ${fileSources(cfg).map(redact).join(', then ')}`);
}

const command: CommandModule = {
  command: 'config <action>',
  describe: 'Show or change settings in config.toml',
  builder: (y: Argv) =>
    y
      .command(
        'list',
        'Every setting in effect (after GOARM_* variables and mirror presets)',
        (s) => s.option('json', { type: 'boolean', default: false }),
        async (a) => {
          const home = goarmHome();
          const cfg = await loadGlobalConfig(home);
          const values = { ...effective(cfg), logins: await loggedIn(home) };
          if (a.json) {
            printJson(values);
            return;
          }
          for (const [k, v] of Object.entries(values)) if (v !== null) out(`${k} = ${show(v)}`);
          out(`# ${cfg.path}`);
        },
      )
      .command(
        'get <key>',
        'Print one setting in effect',
        (s) => s.positional('key', { type: 'string', choices: [...GLOBAL_KEYS, 'file_sources'], demandOption: true }),
        async (a) => {
          const v = effective(await loadGlobalConfig(goarmHome()))[a.key as string];
          for (const line of Array.isArray(v) ? v : v === null ? [] : [v]) out(String(line));
        },
      )
      .command(
        'set <key> <values..>',
        'Set a setting, e.g. `config set mirror china`',
        (s) =>
          s
            .positional('key', { type: 'string', choices: GLOBAL_KEYS, demandOption: true })
            .positional('values', { type: 'string', array: true, demandOption: true })
            .example('$0 config set mirror china', 'index and files from golang.google.cn')
            .example('$0 config set mirror ustc china', 'files from USTC first, then golang.google.cn')
            .example(
              '$0 config set mirror https://artifactory.example.com/go/',
              'a private file mirror; hashes still from the official index',
            ),
        async (a) => {
          const key = a.key as string;
          await setGlobalValue(goarmHome(), key, parseValue(key, (a.values as string[]).map(String)));
          out(redact(`${key} = ${show(parseValue(key, (a.values as string[]).map(String)))}`));
          if (key === 'mirror' || key === 'index_url' || key === 'download_base') await summary();
        },
      )
      .command(
        'unset <key>',
        'Remove a setting from config.toml (back to its default)',
        (s) => s.positional('key', { type: 'string', choices: GLOBAL_KEYS, demandOption: true }),
        async (a) => {
          await setGlobalValue(goarmHome(), a.key as string, undefined);
          if (a.key === 'mirror' || a.key === 'index_url' || a.key === 'download_base') await summary();
        },
      )
      .demandCommand(1, 'name an action: list, get, set or unset'),
  handler: () => {},
};
export default command;
