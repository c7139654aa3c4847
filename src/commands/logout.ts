import type { CommandModule } from 'yargs';
import { goarmHome } from '../core/home.js';
import { logout, originOf } from '../install/credentials.js';
import { out } from './common.js';

const command: CommandModule<object, { url: string }> = {
  command: 'logout <url>',
  describe: 'Remove the stored credentials for a private mirror from the OS keychain',
  builder: (y) => y.positional('url', { type: 'string', demandOption: true }),
  handler: async (a) => {
    const origin = originOf(a.url);
    out(
      (await logout(goarmHome(), origin))
        ? `removed the credentials for ${origin}`
        : `no credentials were stored for ${origin}`,
    );
  },
};
export default command;
