import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Makes the signature part of a JWT from its signing input (`header.payload`). */
export type Signer = (signingInput: string) => Buffer;

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A JWT with exactly this header and these claims, whatever the header claims about its algorithm: libraries
 * refuse to sign an RS256 header with an HMAC key, which is precisely the token an attacker sends.
 */
export function forgedJwt(header: Record<string, unknown>, claims: Record<string, unknown>, sign: Signer): string {
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${sign(signingInput).toString('base64url')}`;
}

/** An HMAC signer (HS256 with `sha256`); the key may be the hub's own KeyObject or any string. */
export const hmacSigner =
  (key: KeyObject | string, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Signer =>
  (signingInput) =>
    createHmac(hash, key).update(signingInput).digest();

export type AsymmetricAlgorithm = 'RS256' | 'PS256' | 'ES256';

/** A fresh key pair of the kind each asymmetric JWT algorithm needs. */
export function keyPairFor(algorithm: AsymmetricAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return algorithm === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A correctly made asymmetric JWT (an attacker's own key pair) with extra header fields. */
export const asymmetricJwt = (
  claims: Record<string, unknown>,
  algorithm: AsymmetricAlgorithm,
  privateKey: KeyObject,
  header: Record<string, unknown> = {},
): string => jwt.sign(claims, privateKey, { algorithm, header: { alg: algorithm, ...header } });

/** The PEM text of a public key: what an RS/HS confusion attack uses as the HMAC secret. */
export const publicKeyPem = (publicKey: KeyObject): string =>
  publicKey.export({ type: 'spki', format: 'pem' }) as string;
