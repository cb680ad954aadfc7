// Which source a client counts under for pre-authentication limits: its IPv4 address, or its IPv6 /64 prefix.
import { isIPv4, isIPv6 } from 'node:net';

/** The key per-source limits and refusal summaries count under. */
export interface ClientSource {
  readonly kind: 'address' | 'ipv6_prefix';
  /** An address (IPv4, or the IPv6 /64 prefix written as an address such as `2001:db8:0:1::`). */
  readonly address: string;
}

function expandIpv6(address: string): number[] | undefined {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/**
 * One household or host usually holds a whole IPv6 /64, so its addresses count together; an IPv4 address
 * (also one mapped into IPv6) counts alone. Undefined when the socket has no address (it already closed).
 * @example clientSource('::ffff:127.0.0.2') // { kind: 'address', address: '127.0.0.2' }
 * @example clientSource('2001:db8:0:1:aa::5') // { kind: 'ipv6_prefix', address: '2001:db8:0:1::' }
 */
export function clientSource(remoteAddress: string | undefined): ClientSource | undefined {
  if (remoteAddress === undefined) return undefined;
  const address = remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIPv4(address)) return { kind: 'address', address };
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare) || bare.includes('.')) return { kind: 'address', address: bare };
  const groups = expandIpv6(bare.toLowerCase());
  if (groups === undefined) return { kind: 'address', address: bare };
  return { kind: 'ipv6_prefix', address: `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::` };
}
