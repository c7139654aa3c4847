// A throw-away OpenPGP signing key (curve25519) and detached signatures, as Google's .asc files are made.
import * as openpgp from 'openpgp';

/** Generates an unprotected key; `publicArmored` is what goes into trusted_keys. */
export async function makeKey(name = 'goarm bench') {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name, email: 'bench@goarm.invalid' }],
    format: 'armored',
  });
  return { privateKey: await openpgp.readPrivateKey({ armoredKey: privateKey }), publicArmored: publicKey };
}

/** An armored detached signature over `data` (a Buffer/Uint8Array). */
export async function signDetached(privateKey, data) {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.sign({ message, signingKeys: privateKey, detached: true, format: 'armored' });
}
