// Everything that decides whether bytes are genuine: the SHA-256 from the index and the OpenPGP signature
// against the pinned Google key (plus keys the user listed in config.toml, and nothing else).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { err } from '../core/errors.js';
import { packageFile } from '../core/package.js';

/**
 * Google Linux Packages Signing Authority; signs Go releases. Its signing subkeys rotate yearly,
 * expire after 3 years.
 */
const GOOGLE_FINGERPRINT = 'eb4c1bfd4f042f6dddccec917721f63bd38b4796';
const PINNED_KEY_FILE = packageFile.pinnedKey;

export const sha256 = () => createHash('sha256');

export function checkSha256(actual: string, expected: string, what: string): void {
  if (actual.toLowerCase() !== expected.toLowerCase())
    throw err(
      'E_CHECKSUM',
      `SHA-256 mismatch for ${what}: the index says ${expected}, the download is ${actual}`,
      'the file was corrupted or tampered with on the way; it was deleted. Try again, or use another mirror',
    );
}

/** The pinned key, refusing a copy whose fingerprint is not Google's (a tampered install of goarm). */
export async function pinnedKey(): Promise<openpgp.PublicKey> {
  const key = await openpgp.readKey({ armoredKey: await readFile(PINNED_KEY_FILE, 'utf8') });
  if (key.getFingerprint() !== GOOGLE_FINGERPRINT)
    throw err(
      'E_PINNED_KEY',
      `the bundled signing key ${PINNED_KEY_FILE} is not Google's (fingerprint ${key.getFingerprint()})`,
      'reinstall goarm',
    );
  return key;
}

/** The pinned key plus armored keys named by `trusted_keys` in config.toml. */
export async function trustedKeys(extraFiles: string[]): Promise<openpgp.PublicKey[]> {
  const keys = [await pinnedKey()];
  for (const file of extraFiles) {
    try {
      keys.push(...(await openpgp.readKeys({ armoredKeys: await readFile(file, 'utf8') })));
    } catch (e) {
      throw err(
        'E_CONFIG',
        `trusted_keys: cannot read an OpenPGP public key from ${file}: ${(e as Error).message}`,
        'fix or remove that entry in config.toml',
        e,
      );
    }
  }
  return keys;
}

interface SignatureInfo {
  keyId: string;
  created: Date;
}

export interface SignatureCheck {
  /** Data bytes, in order, as they arrive; hashed while the download runs. */
  push(chunk: Uint8Array): void;
  /** Ends the data and settles the verdict. */
  finish(): Promise<SignatureInfo>;
}

/**
 * Starts checking a detached armored signature over data that is still arriving. The signing subkey must have
 * been valid when the signature was made, not today: Google's subkeys expire after 3 years and old releases
 * stay genuine after that. Streaming lets the hashing overlap the download instead of re-reading the file.
 */
export async function startSignatureCheck(
  armoredSignature: string,
  keys: openpgp.PublicKey[],
  what: string,
): Promise<SignatureCheck> {
  const bad = (why: string, cause?: unknown) =>
    err(
      'E_SIGNATURE',
      `bad OpenPGP signature for ${what}: ${why}`,
      'the download is not signed by a trusted key; it was deleted. ' +
        'If you run your own mirror, add its key to trusted_keys in config.toml',
      cause,
    );
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    throw bad(`the .asc file is not an OpenPGP signature (${(e as Error).message})`, e);
  }
  const packet = signature.packets[0];
  const created = packet?.created;
  if (!packet || !created) throw bad('the signature has no creation time');
  if (created.getTime() > Date.now() + 24 * 3600_000)
    throw bad(`the signature claims to be made in the future (${created.toISOString()})`);
  const keyId = packet.issuerKeyID.toHex();
  if (!keys.some((k) => k.getKeys(packet.issuerKeyID).length > 0))
    throw bad(`it was made by key ${keyId}, which is not trusted`);

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const data = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  const result = await openpgp.verify({
    message: await openpgp.createMessage({ binary: data }),
    signature,
    verificationKeys: keys,
    date: created,
    format: 'binary',
  });
  // openpgp hashes as its output stream is read: drain it in the background.
  const reader = (result.data as ReadableStream<Uint8Array>).getReader();
  const drained = (async () => {
    while (!(await reader.read()).done);
  })();
  drained.catch(() => {});
  return {
    push: (chunk) => controller.enqueue(chunk),
    async finish() {
      try {
        controller.close();
        await drained;
        await result.signatures[0].verified;
      } catch (e) {
        throw bad((e as Error).message.replace(/^Error verifying signed message: /, ''), e);
      }
      return { keyId, created };
    },
  };
}
