import { createHmac } from 'node:crypto';
import { promises as realDns, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { loadAppConfig } from '../../../config/app-config.js';
import { validateEnv } from '../../../config/env.schema.js';
import { retryDelayMs } from './callback-dispatcher.service.js';
import { signatureOf } from './callback-sender.service.js';

/**
 * Network guard: the policy module gets a `lookup` that records every name it is asked to resolve and answers
 * only `localhost` (from the real resolver, which reads /etc/hosts). Any other name fails instead of sending a
 * DNS query, so a buggy policy can never emit a packet from this file.
 */
const lookups: string[] = [];
const guardedLookup = async (hostname: string, options: LookupAllOptions): Promise<LookupAddress[]> => {
  lookups.push(hostname);
  if (hostname !== 'localhost') {
    throw new Error(`test network guard: refused to resolve ${hostname}`);
  }
  return realDns.lookup(hostname, options);
};
jest.unstable_mockModule('node:dns/promises', () => ({ lookup: guardedLookup, default: { lookup: guardedLookup } }));

type PolicyModule = typeof import('./callback-url.policy.js');
let policyModule: PolicyModule;

beforeAll(async () => {
  policyModule = await import('./callback-url.policy.js');
});
beforeEach(() => {
  lookups.length = 0;
});

const configWith = (allowPrivateNetworks: 'true' | 'false') =>
  loadAppConfig(
    validateEnv({
      NODE_ENV: 'test',
      SECRET_KEY: 'x'.repeat(40),
      CALLBACK_ALLOW_PRIVATE_NETWORKS: allowPrivateNetworks,
    }),
  );

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'IPv6 loopback'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.254', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12 (low end)'],
    ['172.31.255.254', 'private 172.16/12 (high end)'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['fe80::1', 'IPv6 link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'IPv6 unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['fd00:ec2::254', 'unique-local (IPv6 metadata)'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'IPv6 multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex'],
    ['::ffff:10.0.0.5', 'IPv4-mapped private'],
    ['not-an-ip', 'not an address at all'],
  ])('refuses %s (%s)', (address) => {
    expect(policyModule.isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1', '::ffff:8.8.8.8'])('accepts %s', (address) => {
    expect(policyModule.isPublicAddress(address)).toBe(true);
  });
});

describe('CallbackUrlPolicy.refusal', () => {
  const strict = () => new policyModule.CallbackUrlPolicy(configWith('false'));
  const lenient = () => new policyModule.CallbackUrlPolicy(configWith('true'));

  const internalLiterals = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0/',
    'http://10.0.0.5:8080/',
  ];

  it.each(internalLiterals)('refuses %s without any name lookup', async (url) => {
    await expect(strict().refusal(url)).resolves.toMatch(/internal address/);
    expect(lookups).toEqual([]);
  });

  it('refuses http://localhost/ (resolved locally, never by DNS)', async () => {
    await expect(strict().refusal('http://localhost/')).resolves.toMatch(/internal address/);
    expect(lookups).toEqual(['localhost']);
  });

  it('refuses ftp://1.1.1.1/ (not http or https)', async () => {
    await expect(strict().refusal('ftp://1.1.1.1/')).resolves.toBe('must use http or https');
    expect(lookups).toEqual([]);
  });

  it('refuses http://user:pw@1.1.1.1/ (credentials in the URL)', async () => {
    await expect(strict().refusal('http://user:pw@1.1.1.1/')).resolves.toBe('must not carry credentials');
    expect(lookups).toEqual([]);
  });

  it('refuses a host name that does not resolve (the guard answers instead of DNS)', async () => {
    await expect(strict().refusal('http://callbacks.invalid/')).resolves.toBe('has a host name that does not resolve');
    expect(lookups).toEqual(['callbacks.invalid']);
  });

  it('refuses a string that is not a URL', async () => {
    await expect(strict().refusal('not a url')).resolves.toBe('is not a valid URL');
  });

  it('accepts https://1.1.1.1/hook (a public IP literal, no lookup)', async () => {
    await expect(strict().refusal('https://1.1.1.1/hook')).resolves.toBeUndefined();
    expect(lookups).toEqual([]);
  });

  it('reports whether private networks are allowed', () => {
    expect(strict().allowPrivateNetworks).toBe(false);
    expect(lenient().allowPrivateNetworks).toBe(true);
  });

  it.each([...internalLiterals, 'http://localhost/'])(
    'accepts %s when CALLBACK_ALLOW_PRIVATE_NETWORKS=true',
    async (url) => {
      await expect(lenient().refusal(url)).resolves.toBeUndefined();
    },
  );

  it.each([
    ['ftp://1.1.1.1/', 'must use http or https'],
    ['http://user:pw@127.0.0.1/', 'must not carry credentials'],
  ])('still refuses %s when private networks are allowed', async (url, reason) => {
    await expect(lenient().refusal(url)).resolves.toBe(reason);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 16_000],
    [6, 32_000],
    [7, 64_000],
    [8, 128_000],
    [9, 256_000],
    [10, 300_000],
    [11, 300_000],
    [50, 300_000],
  ])('after attempt %i waits %i ms', (attempts, expected) => {
    expect(retryDelayMs(attempts)).toBe(expected);
  });
});

describe('signatureOf', () => {
  it('is sha256= followed by the hex HMAC-SHA256 of the exact body with the secret', () => {
    const body = JSON.stringify({ event: 'task.status_changed', task: { id: 'x', status: 'completed' }, n: 'é' });
    const secret = 'a-callback-secret-0123456789';
    const expected = `sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`;
    expect(signatureOf(body, secret)).toBe(expected);
    expect(signatureOf(body, secret)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('changes with the body and with the secret', () => {
    const secret = 'a-callback-secret-0123456789';
    expect(signatureOf('{"a":1}', secret)).not.toBe(signatureOf('{"a":2}', secret));
    expect(signatureOf('{"a":1}', secret)).not.toBe(signatureOf('{"a":1}', `${secret}!`));
  });
});
