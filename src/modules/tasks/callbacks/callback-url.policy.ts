import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '../../../config/app-config.js';

/** Ranges a callback may never reach unless CALLBACK_ALLOW_PRIVATE_NETWORKS=true (ipaddr.js range names). */
const FORBIDDEN_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal', // includes 169.254.169.254, the cloud metadata address
  'loopback',
  'private',
  'reserved',
  'carrierGradeNat',
  'uniqueLocal', // includes fd00:ec2::254, the IPv6 metadata address
  'benchmarking',
  'amt',
  'as112',
  'deprecated',
  'orchid2',
  'discard',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
]);

/** Whether an address is one a callback may reach: public unicast only (IPv4-mapped IPv6 judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return !FORBIDDEN_RANGES.has(parsed.range());
}

/**
 * SSRF defence for task callbacks, at creation time: the URL must be http(s) and every address its host
 * resolves to must be public. The WHATWG URL parser normalises every spelling of an IPv4 literal (decimal,
 * hex, octal, short forms) to dotted quads first. The sender checks again at connect time, which also
 * defeats DNS rebinding.
 */
@Injectable()
export class CallbackUrlPolicy {
  readonly allowPrivateNetworks: boolean;

  constructor(config: AppConfig) {
    this.allowPrivateNetworks = config.callbacks.allowPrivateNetworks;
  }

  /** A reason to refuse the URL, or undefined when it is acceptable. */
  async refusal(url: string): Promise<string | undefined> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'is not a valid URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return 'must use http or https';
    }
    if (parsed.username || parsed.password) {
      return 'must not carry credentials';
    }
    if (this.allowPrivateNetworks) {
      return undefined;
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = ipaddr.isValid(host)
        ? [host]
        : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return 'has a host name that does not resolve';
    }
    return addresses.every(isPublicAddress)
      ? undefined
      : 'points to a loopback, private, link-local or otherwise internal address';
  }
}
