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
    let found: openpgp.Key[];
    try {
      found = await openpgp.readKeys({ armoredKeys: await readFile(file, 'utf8') });
    } catch (e) {
      throw err(
        'E_CONFIG',
        `trusted_keys: cannot read an OpenPGP public key from ${file}: ${(e as Error).message.split('\n')[0]}`,
        'fix or remove that entry in config.toml',
        e,
      );
    }
    // A secret key does not belong in a list of keys to trust; refusing it keeps it from being read, copied, shown.
    if (found.some((k) => k.isPrivate()))
      throw err(
        'E_CONFIG',
        `trusted_keys: ${file} holds a PRIVATE key`,
        'list only public keys: export one with `gpg --armor --export <key id>`, and keep the private key elsewhere',
      );
    keys.push(...(found as openpgp.PublicKey[]));
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
  opts: { fromGoogle?: boolean } = {},
): Promise<SignatureCheck> {
  const bad = (
    why: string,
    cause?: unknown,
    hint = 'the download is not signed by a trusted key; it was deleted. ' +
      'If you run your own mirror, add its key to trusted_keys in config.toml',
  ) => err('E_SIGNATURE', `bad OpenPGP signature for ${what}: ${why}`, hint, cause);
  let all: openpgp.Signature;
  try {
    all = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    throw bad(`the .asc file is not an OpenPGP signature (${(e as Error).message.split('\n')[0]})`, e);
  }
  // An .asc may carry several signatures: the first one by a trusted key counts, the others are ignored.
  const packets = [...all.packets];
  const packet = packets.find((p) => keys.some((k) => k.getKeys(p.issuerKeyID).length > 0));
  if (!packet) {
    const ids = packets.map((p) => p.issuerKeyID.toHex()).join(', ') || 'no key';
    throw bad(
      `it was made by ${ids}, which is not trusted`,
      undefined,
      opts.fromGoogle
        ? "Google signs releases with yearly signing subkeys: this one is newer than goarm's copy of Google's " +
            'key. Update goarm (it ships the new key); nothing was installed'
        : undefined,
    );
  }
  const created = packet.created;
  if (!created) throw bad('the signature has no creation time');
  if (created.getTime() > Date.now() + 24 * 3600_000)
    throw bad(`the signature claims to be made in the future (${created.toISOString()})`);
  const keyId = packet.issuerKeyID.toHex();
  const only = new openpgp.PacketList<openpgp.SignaturePacket>();
  only.push(packet);
  const signature = new openpgp.Signature(only);

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
