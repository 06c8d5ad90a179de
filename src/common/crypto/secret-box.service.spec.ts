import { describe, expect, it } from '@jest/globals';
import { loadAppConfig } from '../../config/app-config.js';
import { validateEnv } from '../../config/env.schema.js';
import { SecretBoxService } from './secret-box.service.js';

const boxFor = (mfaKey?: string): SecretBoxService =>
  new SecretBoxService(
    loadAppConfig(validateEnv({ NODE_ENV: 'test', SECRET_KEY: 's'.repeat(40), MFA_ENCRYPTION_KEY: mfaKey })),
  );

describe(SecretBoxService.name, () => {
  const box = boxFor();

  it('round-trips a secret without storing it in the clear', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^v1\./);
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses tampered ciphertext', () => {
    const [version, iv, tag, ciphertext] = box.seal('secret value').split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => box.open('not sealed')).toThrow('Unrecognised sealed secret');
  });

  it('cannot open what another key sealed', () => {
    expect(() => boxFor('m'.repeat(40)).open(box.seal('secret value'))).toThrow();
  });

  it('digests deterministically under its key', () => {
    expect(box.digest('code')).toBe(box.digest('code'));
    expect(box.digest('code')).not.toBe(boxFor('m'.repeat(40)).digest('code'));
    expect(box.digest('code')).toMatch(/^[0-9a-f]{64}$/);
  });
});
