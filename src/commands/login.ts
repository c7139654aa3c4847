// `goarm login <url>`: stores a token or user:password for a private mirror in the OS keychain. The secret is read
// from the terminal without echo, or from stdin, never from the command line (it would land in shell history).
import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { login, originOf, requireKeychain } from '../install/credentials.js';
import { out } from './common.js';

interface Args {
  url: string;
  username?: string;
}

/** One line from stdin; on a terminal, typed without echo. */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let secret = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return secret;
        if (ch === '\u0003') throw err('E_USAGE', 'cancelled', 'nothing was stored');
        secret = ch === '\u007f' || ch === '\b' ? secret.slice(0, -1) : secret + ch;
      }
    }
    return secret;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

const command: CommandModule<object, Args> = {
  command: 'login <url>',
  describe: 'Store credentials for a private mirror in the OS keychain',
  builder: (y) =>
    y
      .positional('url', {
        type: 'string',
        demandOption: true,
        describe: 'the mirror, e.g. https://artifactory.example.com',
      })
      .option('username', {
        alias: 'u',
        type: 'string',
        describe: 'log in with a user name and password (asked for) instead of a token',
      })
      .example('$0 login https://artifactory.example.com', 'asks for a token (or user:password)')
      .example('printf %s "$TOKEN" | $0 login https://artifactory.example.com', 'from a script'),
  handler: async (a) => {
    const origin = originOf(a.url);
    await requireKeychain(origin);
    const secret = (
      await readSecret(
        a.username ? `password for ${a.username} at ${origin}: ` : `token (or user:password) for ${origin}: `,
      )
    ).trim();
    if (!secret || /[\u0000-\u001f\u007f]/.test(secret))
      throw err(
        'E_USAGE',
        'no usable secret was given (empty, or it has control characters)',
        'type the token, or pipe it on stdin',
      );
    if (a.username && (!a.username.trim() || a.username.includes(':')))
      throw err('E_USAGE', 'a user name cannot be empty or contain ":"', 'goarm login <url> --username <name>');
    await login(goarmHome(), origin, a.username ? `${a.username}:${secret}` : secret);
    out(`stored credentials for ${origin} in the OS keychain; goarm sends them only to ${origin}`);
  },
};
export default command;
