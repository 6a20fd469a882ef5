import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { webhooksErrors } from './webhooks.errors.ts';

/**
 * Where a webhook may point. In production only https:// URLs whose host resolves to public
 * addresses: an endpoint is a URL a seller chooses and our workers call, so without these checks a
 * seller could make us POST into our own network (SSRF). The address is checked when the endpoint
 * is registered and again on every connection (`guardedLookup`), because DNS can change after
 * registration (rebinding). `allowInsecure` (WEBHOOKS_ALLOW_INSECURE, for tests and local
 * development) allows http:// and private or loopback addresses.
 */
export type UrlPolicy = Readonly<{ allowInsecure: boolean }>;

export const MAX_URL_LENGTH = 2048;

/** Addresses that are not on the public internet (IANA special-purpose registries). */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: may reach private IPv4 space
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) reaches the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  if (/^::ffff:/i.test(address)) return false;
  return !NOT_PUBLIC.check(address, 'ipv6');
}

/** The URL's host as DNS or an IP literal would see it ("[::1]" -> "::1"). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Checks what can be checked without DNS; throws WEBHOOKS_BAD_URL / WEBHOOKS_ADDRESS_NOT_ALLOWED. */
export function checkUrlShape(raw: string, policy: UrlPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw webhooksErrors.badUrl(`The URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw webhooksErrors.badUrl('The URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) {
    throw webhooksErrors.badUrl('The URL must use https://');
  }
  if (url.username || url.password) throw webhooksErrors.badUrl('The URL must not contain a user name or password');
  if (url.hash) throw webhooksErrors.badUrl('The URL must not contain a fragment (#...)');
  const host = hostOf(url);
  if (!host) throw webhooksErrors.badUrl('The URL has no host');
  if (!policy.allowInsecure) {
    if (isIP(host) && !isPublicAddress(host)) throw webhooksErrors.addressNotAllowed(`${host} is not a public address`);
    if (!isIP(host) && (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))) {
      throw webhooksErrors.addressNotAllowed(`"${host}" is not a public host name`);
    }
  }
  return url;
}

type LookupAll = (host: string) => Promise<Array<{ address: string; family: number }>>;

const lookupAll: LookupAll = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * The full check at registration: the shape, then (unless insecure is allowed) every address the
 * host resolves to must be public. A host that does not resolve is refused: a seller registers an
 * endpoint that is live.
 */
export async function checkEndpointUrl(raw: string, policy: UrlPolicy, resolve: LookupAll = lookupAll): Promise<URL> {
  const url = checkUrlShape(raw, policy);
  const host = hostOf(url);
  if (policy.allowInsecure || isIP(host)) return url;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await resolve(host);
  } catch {
    throw webhooksErrors.unresolvable(host);
  }
  if (addresses.length === 0) throw webhooksErrors.unresolvable(host);
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw webhooksErrors.addressNotAllowed(`"${host}" resolves to ${bad.address}, which is not a public address`);
  return url;
}

/** The error a delivery records when the endpoint's host resolves to a forbidden address. */
export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError';
}

/**
 * A DNS lookup for outgoing connections that refuses non-public addresses: the check happens on
 * the connection's own lookup, so the address we check is the address we connect to.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as Array<{ address: string; family: number }>;
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (bad || list.length === 0) {
      const reason = bad ? `${hostname} resolves to ${bad.address}, which is not a public address` : `${hostname} has no address`;
      return callback(Object.assign(new AddressNotAllowedError(reason), { code: 'EADDRNOTALLOWED' }), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};
