import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * What an address is to the push sender:
 * - `public`: globally routable unicast; the push services are there.
 * - `private`: loopback, RFC 1918, CGNAT, IPv6 unique-local — a local push service, only with
 *   PUSH_ALLOW_PRIVATE_ENDPOINTS.
 * - `forbidden`: never — unspecified (0.0.0.0 reaches this host), link-local (the cloud metadata
 *   service, 169.254.169.254), multicast, broadcast, reserved and documentation ranges, and IPv6
 *   outside global unicast.
 */
export type AddressClass = 'public' | 'private' | 'forbidden';

const PRIVATE_RANGES = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
/** RFC 6052's well-known NAT64 prefix: on an IPv6-only network DNS64 answers every IPv4 host inside it. */
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** Undefined for something that is not an address literal (a DNS name); `[v6]` brackets allowed. */
export function classifyAddress(literal: string): AddressClass | undefined {
  const text = literal.startsWith('[') && literal.endsWith(']') ? literal.slice(1, -1) : literal;
  if (isIP(text) === 0) return undefined;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it reaches.
  return classify(ipaddr.process(text));
}

function classify(address: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  if (address instanceof ipaddr.IPv6) {
    if (address.match(NAT64)) return classify(ipaddr.fromByteArray(address.toByteArray().slice(12)));
    const range = address.range();
    if (range === 'unicast' && address.match(GLOBAL_UNICAST)) return 'public';
    return PRIVATE_RANGES.has(range) ? 'private' : 'forbidden';
  }
  const range = address.range();
  if (range === 'unicast') return 'public';
  return PRIVATE_RANGES.has(range) ? 'private' : 'forbidden';
}
