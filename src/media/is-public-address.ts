import { BlockList, isIP } from 'node:net';

/** Decides whether a remote image may be fetched from an address; injected so tests can allow loopback. */
export type AddressPolicy = (address: string) => boolean;

/** Ranges that are not the public internet (RFC 6890 and friends). */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address we would have to check as well
  ['2001::', 32], // Teredo: likewise
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}
/** IPv6 global unicast; everything outside it (loopback, unique-local, link-local, multicast) is refused. */
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');
const nat64 = new BlockList();
nat64.addSubnet('64:ff9b::', 96, 'ipv6');

/**
 * The default policy: only public unicast addresses. IPv4-mapped (`::ffff:127.0.0.1`) and NAT64
 * (`64:ff9b::a00:1`) addresses are judged by the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !refused.check(address, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return !refused.check(embedded, 'ipv4');
  return globalUnicast.check(address, 'ipv6') && !refused.check(address, 'ipv6');
}

function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (dotted !== undefined) return dotted;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (mapped?.[1] !== undefined && mapped[2] !== undefined) return fromHexPair(mapped[1], mapped[2]);
  if (nat64.check(address, 'ipv6')) {
    const groups = /:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (groups?.[1] !== undefined && groups[2] !== undefined) return fromHexPair(groups[1], groups[2]);
  }
  return undefined;
}

function fromHexPair(high: string, low: string): string {
  const first = Number.parseInt(high, 16);
  const second = Number.parseInt(low, 16);
  return [first >> 8, first & 255, second >> 8, second & 255].join('.');
}
