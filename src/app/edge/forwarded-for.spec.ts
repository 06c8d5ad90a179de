import { describe, expect, it } from '@jest/globals';
import { addressHops } from './forwarded-for.js';

describe(addressHops.name, () => {
  it('keeps a chain of IPv4 and IPv6 addresses as it is', () => {
    expect(addressHops('203.0.113.7, 2001:db8::1,10.0.0.1')).toEqual(['203.0.113.7', '2001:db8::1', '10.0.0.1']);
  });

  it('drops the first hop that is not an address, and every hop before it', () => {
    expect(addressHops('203.0.113.7, garbage, 10.0.0.1')).toEqual(['10.0.0.1']);
    expect(addressHops('10.0.0.1, <script>')).toEqual([]);
    expect(addressHops('unknown')).toEqual([]);
  });

  it('refuses what only looks like an address: out-of-range octets, zone indexes, empty and over-long hops', () => {
    for (const value of ['999.1.1.1', 'fe80::1%eth0', ',,', '', `${'1'.repeat(300)}`]) {
      expect([value, addressHops(value)]).toEqual([value, []]);
    }
  });
});
