/**
 * The address policy against server-side request forgery: which IP addresses an upstream fetch must not
 * reach (private, loopback, link-local, CGNAT, reserved, and IPv6 forms embedding them), which host names
 * stand for an address without DNS (IP literals, `localhost`), and when a source's `allowPrivateNetwork`
 * lets a hop through. Pure: the fetcher resolves names and the Node runtime checks again at connect time.
 */

/** The host name of a URL, lowercased, without IPv6 brackets or a trailing root dot. */
export function hostKey(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * Whether a hop to `url` may reach a private address: only when the source allows it
 * (`allowPrivateNetwork`), and only on the source's own host — never on a host a redirect leads to. The
 * source's host is that of the request (`original`), or of `sourceUrl` for a request that is not for the
 * source's feed (an article page its entry links to): such a request must start on the source's host.
 */
export function privateNetworkAllowed(url: URL, original: URL, allowPrivateNetwork: boolean | undefined, sourceUrl: URL = original): boolean {
  return allowPrivateNetwork === true && hostKey(url) === hostKey(original) && hostKey(original) === hostKey(sourceUrl);
}

/**
 * The addresses a host key (see {@link hostKey}) stands for without asking DNS: the address itself for an
 * IP literal, loopback for `localhost` and `*.localhost`; null when only a resolver can tell.
 */
export function knownAddresses(host: string): string[] | null {
  if (isIpLiteral(host)) return [host];
  // RFC 6761: these names are loopback by definition, whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1'];
  return null;
}

/**
 * Why a fetch of `host`, which stands for `addresses`, is refused ("10.0.0.1 is a private address",
 * "feeds.example (10.1.2.3) is a private address"), or null when none of them is private.
 */
export function refusal(host: string, addresses: readonly string[]): string | null {
  const blocked = addresses.find((ip) => isPrivateAddress(ip));
  if (blocked === undefined) return null;
  const via = blocked === host ? '' : ` (${blocked})`;
  return `${host}${via} is a private address`;
}

/**
 * Whether an IP address (IPv4 dotted quad or IPv6 in any textual form, zone id allowed) is one a
 * fetch must not reach by default: unspecified, loopback, private (RFC 1918), CGNAT, link-local,
 * unique-local, site-local, multicast, reserved, documentation and benchmarking ranges, and IPv6
 * forms that embed such an IPv4 address (mapped, compatible, NAT64, 6to4). A string that is not an
 * IP address counts as private, so bad resolver output fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIpv4(text);
  if (v4) return isPrivateIpv4(v4);
  const v6 = parseIpv6(text);
  if (v6) return isPrivateIpv6(v6);
  return true;
}

function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== null || parseIpv6(host) !== null;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Parses an IPv6 address into eight 16-bit groups; accepts `::`, an embedded IPv4 tail and a zone id. */
function parseIpv6(input: string): number[] | null {
  const text = input.replace(/%.*$/, '');
  if (!text.includes(':')) return null;
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIpv4(maybeV4);
    if (!v4) return null;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith('::')) {
      // "::a.b.c.d": keep the "::"
    } else if (head.endsWith(':')) {
      head = head.slice(0, -1);
    }
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const left = parseGroups(halves[0] ?? '');
  if (!left) return null;
  if (halves.length === 1) {
    const groups = [...left, ...tail];
    return groups.length === 8 ? groups : null;
  }
  const right = parseGroups(halves[1] ?? '');
  if (!right) return null;
  const fill = 8 - left.length - right.length - tail.length;
  if (fill < 1) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
}

function isPrivateIpv4(b: number[]): boolean {
  const [a = 0, c = 0] = b;
  const d = b[2] ?? 0;
  return (
    a === 0 || // "this network", incl. 0.0.0.0 unspecified
    a === 10 ||
    a === 127 ||
    (a === 100 && c >= 64 && c <= 127) || // CGNAT 100.64/10
    (a === 169 && c === 254) ||
    (a === 172 && c >= 16 && c <= 31) ||
    (a === 192 && c === 168) ||
    (a === 192 && c === 0 && (d === 0 || d === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 198 && (c === 18 || c === 19)) || // benchmarking
    (a === 198 && c === 51 && d === 100) || // TEST-NET-2
    (a === 203 && c === 0 && d === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

function isPrivateIpv6(g: number[]): boolean {
  const at = (i: number): number => g[i] ?? 0;
  const embedded = (hi: number, lo: number): number[] => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);

  // ::/96 covers ::, ::1 and the deprecated IPv4-compatible form; none is a public destination.
  if (zeroUpTo(6)) return true;
  if (zeroUpTo(5) && at(5) === 0xffff) return isPrivateIpv4(embedded(at(6), at(7))); // IPv4-mapped
  if (at(0) === 0x64 && at(1) === 0xff9b) {
    if (at(2) === 1) return true; // 64:ff9b:1::/48 local-use NAT64
    if (g.slice(2, 6).every((x) => x === 0)) return isPrivateIpv4(embedded(at(6), at(7))); // NAT64
  }
  if (at(0) === 0x2002) return isPrivateIpv4(embedded(at(1), at(2))); // 6to4
  if (at(0) === 0x0100 && at(1) === 0 && at(2) === 0 && at(3) === 0) return true; // discard-only 100::/64
  if (at(0) === 0x2001 && at(1) === 0x0db8) return true; // documentation
  const first = at(0);
  return (
    (first & 0xfe00) === 0xfc00 || // unique-local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // site-local (deprecated) fec0::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
