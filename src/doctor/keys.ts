// Keys: Google signs Go releases with a subkey that rotates yearly and expires after 3 years. Old releases stay
// verifiable (signatures are checked at their creation time), but a release signed by a subkey newer than the
// copy goarm ships cannot be verified: when no signing subkey of the pinned key is valid today, or the newest
// expires soon, goarm itself needs updating.
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { pinnedKey } from '../install/signature.js';
import { type DoctorContext, type Finding, fail, ok, skip, warn } from './findings.js';

const DAY = 86_400_000;
export const EXPIRY_WARNING_DAYS = 90;

export interface SubkeyState {
  keyId: string;
  created: string;
  expires: string | null;
  valid: boolean;
}
export interface KeyHealth {
  fingerprint: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  subkeys: SubkeyState[];
}

/** The signing subkeys of `key` and whether each is valid at `now`; the verdict for "can it verify new releases". */
export async function keyHealth(key: openpgp.PublicKey, now: Date): Promise<KeyHealth> {
  const fingerprint = key.getFingerprint();
  const primaryOk = await key.verifyPrimaryKey(now).then(
    () => true,
    () => false,
  );
  const subkeys: SubkeyState[] = [];
  for (const s of key.subkeys) {
    const binding = s.bindingSignatures[s.bindingSignatures.length - 1];
    if (!((binding?.keyFlags?.[0] ?? 0) & openpgp.enums.keyFlags.signData)) continue;
    const valid =
      primaryOk &&
      (await s.verify(now).then(
        () => true,
        () => false,
      ));
    const exp = await s.getExpirationTime().catch(() => null);
    subkeys.push({
      keyId: s.getKeyID().toHex(),
      created: s.getCreationTime().toISOString(),
      expires: exp instanceof Date ? exp.toISOString() : null,
      valid,
    });
  }
  const valid = subkeys.filter((s) => s.valid);
  const day = now.toISOString().slice(0, 10);
  if (!primaryOk)
    return { fingerprint, status: 'fail', message: `the primary key is expired or revoked on ${day}`, subkeys };
  if (!valid.length)
    return {
      fingerprint,
      status: 'fail',
      message: `no signing subkey is valid on ${day} (newest expired ${
        subkeys
          .map((s) => s.expires)
          .filter(Boolean)
          .sort()
          .pop()
          ?.slice(0, 10) ?? 'never'
      }): releases signed since cannot be verified`,
      subkeys,
    };
  const newest = valid.reduce((a, b) => (a.expires === null || (b.expires !== null && a.expires >= b.expires) ? a : b));
  if (newest.expires === null)
    return { fingerprint, status: 'ok', message: `signing subkey ${newest.keyId} never expires`, subkeys };
  const days = Math.floor((Date.parse(newest.expires) - now.getTime()) / DAY);
  if (days < EXPIRY_WARNING_DAYS)
    return {
      fingerprint,
      status: 'warn',
      message: `the newest signing subkey ${newest.keyId} expires on ${newest.expires.slice(0, 10)} (in ${days} days)`,
      subkeys,
    };
  return {
    fingerprint,
    status: 'ok',
    message: `signing subkey ${newest.keyId} valid until ${newest.expires.slice(0, 10)}`,
    subkeys,
  };
}

export async function keyChecks(ctx: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const update = 'update goarm: new releases of it ship the current Google key';
  try {
    const h = await keyHealth(await pinnedKey(), ctx.now);
    const detail = { fingerprint: h.fingerprint, subkeys: h.subkeys };
    const msg = `Google Linux Packages Signing Authority: ${h.message}`;
    out.push(
      h.status === 'ok'
        ? ok('keys.pinned', msg, detail)
        : h.status === 'warn'
          ? warn('keys.pinned', msg, update, detail)
          : fail('keys.pinned', msg, update, detail),
    );
  } catch (e) {
    out.push(fail('keys.pinned', `the pinned key cannot be read: ${(e as Error).message}`, 'reinstall goarm'));
  }

  if (!ctx.global.trustedKeys.length) out.push(skip('keys.trusted', 'no trusted_keys in config.toml'));
  else {
    const problems: string[] = [];
    const keys: { file: string; fingerprint: string; status: string; message: string }[] = [];
    for (const file of ctx.global.trustedKeys) {
      try {
        for (const k of await openpgp.readKeys({ armoredKeys: await readFile(file, 'utf8') })) {
          const h = await keyHealth(k, ctx.now);
          keys.push({ file, fingerprint: h.fingerprint, status: h.status, message: h.message });
          if (h.status !== 'ok') problems.push(`${file} (${h.fingerprint.slice(-16)}): ${h.message}`);
        }
      } catch (e) {
        keys.push({ file, fingerprint: '', status: 'fail', message: (e as Error).message });
        problems.push(`${file}: not an OpenPGP public key (${(e as Error).message})`);
      }
    }
    const worst = keys.some((k) => k.status === 'fail') ? fail : warn;
    out.push(
      problems.length
        ? worst(
            'keys.trusted',
            problems.join('; '),
            'replace the key file in trusted_keys (config.toml) with a current copy from your mirror',
            { keys },
          )
        : ok(
            'keys.trusted',
            `${keys.length} trusted key${keys.length > 1 ? 's' : ''} from config.toml, ` +
              'each with a valid signing subkey',
            { keys },
          ),
    );
  }
  return out;
}
