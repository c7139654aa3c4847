// Throw-away OpenPGP keys and detached signatures for tests, made with openpgp 6.
//
//   makeKey({ date?, subkeyExpiresIn? })      -> TestKey: primary key + one SIGNING subkey (EdDSA/ed25519Legacy,
//                                               readable by GnuPG 2.2 too). Key created at `date`
//                                               (default: one day ago).
//   signDetached(data, key, date?)          -> armored detached signature (like Google's .asc), made by the subkey.
//   expiredSubkeyScenario()                 -> key whose signing subkey expired in the past, plus a signature
//                                               made while it was valid and one made after it expired.
//   writeKeyFile(dir, key, name?)           -> writes key.armoredPublic to dir/name, returns the absolute path.
//   writeTrustConfig(home, { indexUrl, downloadBase, keyFiles, extra? }) -> writes $home/config.toml.
//
// Note on openpgp 6 semantics: openpgp.verify() always checks the signing (sub)key's validity at the
// SIGNATURE'S creation time; its `date` option only bounds the signature itself (created <= date). So in the
// expired-subkey scenario the early signature verifies at any date >= its creation, and the late one never does.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { stringify } from 'smol-toml';

export interface TestKey {
  armoredPublic: string;
  privateKey: openpgp.PrivateKey;
  /** primary key fingerprint, 40 upper-case hex digits without spaces */
  fingerprint: string;
}

const DAY = 86_400_000;
const userIDs = [{ name: 'goarm test signer', email: 'test@goarm.invalid' }];

async function toTestKey(privateKey: openpgp.PrivateKey): Promise<TestKey> {
  return {
    armoredPublic: privateKey.toPublic().armor(),
    privateKey,
    fingerprint: privateKey.getFingerprint().toUpperCase(),
  };
}

export async function makeKey(opts: { date?: Date; subkeyExpiresIn?: number } = {}): Promise<TestKey> {
  const { privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs,
    date: opts.date ?? new Date(Date.now() - DAY),
    subkeys: [{ sign: true, keyExpirationTime: opts.subkeyExpiresIn }],
    format: 'object',
  });
  return toTestKey(privateKey);
}

export async function signDetached(data: Uint8Array, key: TestKey, date: Date = new Date()): Promise<string> {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.sign({ message, signingKeys: key.privateKey, detached: true, date, format: 'armored' });
}

export interface ExpiredSubkeyScenario {
  /** primary key never expires; its only signing subkey expired at `expiresAt` (in the past) */
  key: TestKey;
  expiresAt: Date;
  /** signed by the subkey 100 days before it expired: valid */
  sigBeforeExpiry(data: Uint8Array): Promise<string>;
  /** signed by the same subkey 100 days after it expired: must be refused */
  sigAfterExpiry(data: Uint8Array): Promise<string>;
}

export async function expiredSubkeyScenario(): Promise<ExpiredSubkeyScenario> {
  const created = new Date(Math.floor((Date.now() - 400 * DAY) / 1000) * 1000);
  const expiresAt = new Date(created.getTime() + 200 * DAY);
  const before = new Date(created.getTime() + 100 * DAY);
  const after = new Date(created.getTime() + 300 * DAY);
  // openpgp refuses to sign with an expired key, so sign with a never-expiring copy of the same key material...
  const signer = await makeKey({ date: created });
  // ...and publish bindings re-made at `created` with an expiry. reformatKey puts the expiry on the primary too,
  // so take the primary's self-signatures from a no-expiry reformat: only the subkey expires, as with Google's key.
  const expiring = await openpgp.reformatKey({
    privateKey: signer.privateKey,
    userIDs,
    date: created,
    keyExpirationTime: (expiresAt.getTime() - created.getTime()) / 1000,
    format: 'object',
  });
  const published = await openpgp.reformatKey({
    privateKey: signer.privateKey,
    userIDs,
    date: created,
    format: 'object',
  });
  published.privateKey.subkeys[0].bindingSignatures = expiring.privateKey.subkeys[0].bindingSignatures;
  const key = await toTestKey(await openpgp.readPrivateKey({ armoredKey: published.privateKey.armor() }));
  const reread = await openpgp.readKey({ armoredKey: key.armoredPublic });
  if (
    key.fingerprint !== signer.fingerprint ||
    reread.subkeys[0].getFingerprint() !== signer.privateKey.subkeys[0].getFingerprint()
  )
    throw new Error('reformatKey changed the key material: fingerprints differ');
  return {
    key,
    expiresAt,
    sigBeforeExpiry: (data) => signDetached(data, signer, before),
    sigAfterExpiry: (data) => signDetached(data, signer, after),
  };
}

export async function writeKeyFile(dir: string, key: TestKey, name = `${key.fingerprint}.asc`): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = resolve(join(dir, name));
  await writeFile(path, key.armoredPublic);
  return path;
}

/** Writes $home/config.toml; `extra` adds further top-level settings (e.g. { default: '1.23.4' }). */
export async function writeTrustConfig(
  home: string,
  opts: { indexUrl: string; downloadBase: string; keyFiles: string[]; extra?: Record<string, unknown> },
): Promise<string> {
  const config = {
    index_url: opts.indexUrl,
    download_base: opts.downloadBase,
    trusted_keys: opts.keyFiles.map((f) => resolve(f)),
    ...opts.extra,
  };
  await mkdir(home, { recursive: true });
  const path = join(home, 'config.toml');
  await writeFile(path, stringify(config) + '\n');
  return path;
}
