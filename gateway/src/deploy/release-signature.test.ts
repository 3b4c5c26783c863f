import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeRelease, keyPair } from '../../../test/support/signed-release.js';
import { loadReleaseKeys } from './release-keys.js';
import { keyId, parseReleaseKeys, signatureFile, verifyReleaseSignature } from './release-signature.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-release-sig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const release = keyPair();
const other = keyPair();
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('release signatures', () => {
  it('accepts a tarball signed by a trusted key, and names what it signed', () => {
    const file = fakeRelease(dir, '2.0.0', { signWith: release.privateKey });
    const signed = verifyReleaseSignature(file, [other.publicKey, release.publicKey]);
    expect(signed).toMatchObject({ name: 'storegate', version: '2.0.0', tarball: 'storegate-2.0.0.tar.gz' });
    expect(JSON.parse(readFileSync(signatureFile(file), 'utf8')).key_id).toBe(keyId(release.publicKey));
  });

  it('refuses a signature by a key that is not trusted', () => {
    const file = fakeRelease(dir, '2.0.1', { signWith: other.privateKey });
    expect(codeOf(() => verifyReleaseSignature(file, [release.publicKey]))).toBe('SG_RELEASE_SIGNATURE');
    expect(() => verifyReleaseSignature(file, [release.publicKey])).toThrow(
      /not signed by any of the 1 trusted/,
    );
  });

  it('refuses a changed signed statement (a version bumped after signing)', () => {
    const file = fakeRelease(dir, '2.0.2', { signWith: release.privateKey });
    const sig = JSON.parse(readFileSync(signatureFile(file), 'utf8'));
    sig.signed = sig.signed.replace('"version":"2.0.2"', '"version":"9.0.0"');
    writeFileSync(signatureFile(file), JSON.stringify(sig));
    expect(() => verifyReleaseSignature(file, [release.publicKey])).toThrow(/not signed by any/);
  });

  it('refuses a tarball that is not the one signed', () => {
    const file = fakeRelease(dir, '2.0.3', { signWith: release.privateKey });
    const signature = readFileSync(signatureFile(file));
    fakeRelease(dir, '2.0.3', { main: 'process.exit(3);\n' }); // same name, other content, no new .sig
    writeFileSync(signatureFile(file), signature);
    expect(() => verifyReleaseSignature(file, [release.publicKey])).toThrow(
      /the tarball has sha256 [0-9a-f]{64}, the signed release says/,
    );
  });

  it('calls a missing signature, or no keys to check it with, unsigned', () => {
    const unsigned = fakeRelease(dir, '2.0.4');
    expect(() => verifyReleaseSignature(unsigned, [release.publicKey])).toThrow(/has no signature/);
    expect(codeOf(() => verifyReleaseSignature(unsigned, [release.publicKey]))).toBe('SG_RELEASE_UNSIGNED');
    const signed = fakeRelease(dir, '2.0.5', { signWith: release.privateKey });
    expect(() => verifyReleaseSignature(signed, [])).toThrow(/no release public keys/);
  });

  it('reads PEM blocks and raw base64 keys from a key file, and distrusts one others can write', () => {
    const raw = release.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
    const keys = parseReleaseKeys(`# rotation: old and new\n${other.publicPem}\n${raw}\n`, 'keys.pem');
    expect(keys.map(keyId)).toEqual([keyId(other.publicKey), keyId(release.publicKey)]);
    const file = join(dir, 'keys.pem');
    writeFileSync(file, release.publicPem, { mode: 0o644 });
    expect(loadReleaseKeys(join(dir, 'absent.pem'), dir)).toEqual([]);
    expect(loadReleaseKeys(file, dir).map(keyId)).toEqual([keyId(release.publicKey)]);
    if (process.geteuid?.() !== 0) return; // the ownership rule applies to root, who runs the upgrade
    chmodSync(file, 0o664);
    expect(() => loadReleaseKeys(file, dir)).toThrow(
      /not trusted, .*keys\.pem is owned by uid 0 with mode 664/,
    );
  });
});
