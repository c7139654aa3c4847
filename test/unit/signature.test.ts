// The signature verdict on its own: which packet of an .asc counts, and what the refusal of an unknown key says.
import { describe, expect, it } from 'vitest';
import type { GoarmError } from '../../src/core/errors.js';
import { startSignatureCheck, trustedKeys } from '../../src/install/signature.js';
import { makeKey, signDetached } from '../helpers/keys.js';

const data = new TextEncoder().encode('a release archive, as far as this test is concerned\n');

async function verdict(asc: string, opts: { fromGoogle?: boolean } = {}): Promise<GoarmError | undefined> {
  const trusted = await makeKey();
  const keys = [...(await trustedKeys([])), trusted.privateKey.toPublic()];
  try {
    const check = await startSignatureCheck(asc, keys, 'go1.99.0.tar.gz', opts);
    check.push(data);
    await check.finish();
    return undefined;
  } catch (e) {
    return e as GoarmError;
  }
}

describe('signatures by a key goarm does not know', () => {
  it("from Google's index: the hint says to update goarm (a newer Google subkey), not to trust a key", async () => {
    const e = await verdict(await signDetached(data, await makeKey()), { fromGoogle: true });
    expect(e?.code).toBe('E_SIGNATURE');
    expect(e?.message).toMatch(/which is not trusted/);
    expect(e?.hint).toMatch(/newer than goarm's copy of Google's key\. Update goarm/);
    expect(e?.hint).not.toMatch(/trusted_keys/);
  });

  it('from any other index: the hint points at trusted_keys', async () => {
    const e = await verdict(await signDetached(data, await makeKey()));
    expect(e?.hint).toMatch(/add its key to trusted_keys/);
  });
});
