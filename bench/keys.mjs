// A throw-away OpenPGP key shaped like Google's release key (a primary key that certifies, and a separate
// signing subkey; EdDSA on curve25519), and detached armored signatures like the .asc files next to Go releases.
import * as openpgp from 'openpgp';

const DAY = 86_400_000;

/**
 * Generates an unprotected key, dated a day back so no signature can predate it;
 * `publicArmored` goes into trusted_keys.
 */
export async function makeKey(name = 'goarm bench signer') {
  const { privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name, email: 'bench@goarm.invalid' }],
    date: new Date(Date.now() - DAY),
    subkeys: [{ sign: true }],
    format: 'object',
  });
  return { privateKey, publicArmored: privateKey.toPublic().armor() };
}

/** An armored detached signature over `data` (Buffer/Uint8Array), made by the signing subkey. */
export async function signDetached(privateKey, data) {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.sign({ message, signingKeys: privateKey, detached: true, format: 'armored' });
}
