// Classifies an IP address for the outbound fetch guard (DESIGN §7). Anything
// that is not plainly public unicast gets a category and is refused; only
// 2000::/3 counts as public IPv6. IPv6 forms that carry an IPv4 address
// (mapped, compatible, translated, NAT64, 6to4) are judged by that IPv4 address.

export type AddressCategory =
  | "loopback"
  | "private"
  | "link-local"
  | "carrier-grade-nat"
  | "cloud-metadata"
  | "multicast"
  | "broadcast"
  | "unspecified"
  | "reserved"
  | "documentation"
  | "benchmarking"
  | "unique-local"
  | "invalid";

/** Phrases for "fetch refused: destination is …". */
export const CATEGORY_PHRASE: Record<AddressCategory, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  "link-local": "a link-local address",
  "carrier-grade-nat": "a carrier-grade NAT (shared) address",
  "cloud-metadata": "a cloud metadata address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  unspecified: "an unspecified address",
  reserved: "a reserved address",
  documentation: "a documentation address",
  benchmarking: "a benchmarking address",
  "unique-local": "an IPv6 unique local (private) address",
  invalid: "not a valid IP address",
};

type V4Rule = [base: string, prefix: number, category: AddressCategory];

// Most specific first: the metadata hosts sit inside broader ranges.
const V4_RULES: V4Rule[] = [
  ["169.254.169.254", 32, "cloud-metadata"], // AWS, GCP, Azure, OpenStack, DigitalOcean
  ["169.254.170.2", 32, "cloud-metadata"], // AWS ECS task metadata
  ["100.100.100.200", 32, "cloud-metadata"], // Alibaba Cloud
  ["192.0.0.192", 32, "cloud-metadata"], // Oracle Cloud
  ["255.255.255.255", 32, "broadcast"],
  ["0.0.0.0", 8, "unspecified"], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade-nat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments (DS-Lite, NAT64 discovery)
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"], // deprecated 6to4 relay anycast
  ["192.168.0.0", 16, "private"],
  // RFC 2544 benchmarking: not routed publicly, but used inside networks
  // (fake-IP DNS proxies, some clouds' internal ranges), so treat it as internal.
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // class E, future use
];

/** Parses strict dotted-decimal IPv4 into an unsigned 32-bit number. */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    // No leading zeros: inet_aton reads "010" as octal 8, so an ambiguous form is not an address here.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

const V4_TABLE = V4_RULES.map(([base, prefix, category]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { net: (parseIPv4(base)! & mask) >>> 0, mask, category };
});

function classifyV4(value: number): AddressCategory | null {
  for (const rule of V4_TABLE) {
    if (((value & rule.mask) >>> 0) === rule.net) return rule.category;
  }
  return null;
}

/** Parses IPv6 text (with `::`, an embedded dotted IPv4 tail, an optional `%zone`) into 8 16-bit words. */
export function parseIPv6(text: string): number[] | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail: number[] = [];
  if (s.includes(".")) {
    const lastColon = s.lastIndexOf(":");
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    // "::ffff:1.2.3.4" → "::ffff"; "::1.2.3.4" → "::"; "1:2:3:4:5:6:1.2.3.4" → "1:2:3:4:5:6".
    s = s.endsWith("::" + s.slice(lastColon + 1)) ? s.slice(0, lastColon + 1) : s.slice(0, lastColon);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  const groups = [...head, ...rest];
  for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const words = groups.map((g) => parseInt(g, 16));
  const total = words.length + tail.length;
  if (halves.length === 2) {
    if (total > 7) return null;
    const zeros = new Array(8 - total).fill(0);
    return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16)), ...tail];
  }
  if (total !== 8) return null;
  return [...words, ...tail];
}

const v4FromWords = (hi: number, lo: number) => ((hi << 16) >>> 0) + lo;

function classifyV6(w: number[]): AddressCategory | null {
  const [w0, w1, w2, w3, w4, w5, w6, w7] = w as [number, number, number, number, number, number, number, number];
  const firstFiveZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (firstFiveZero && w5 === 0 && w6 === 0 && w7 === 0) return "unspecified";
  if (firstFiveZero && w5 === 0 && w6 === 0 && w7 === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped): the kernel routes it to the IPv4 host, so judge the IPv4 address.
  if (firstFiveZero && w5 === 0xffff) return classifyV4(v4FromWords(w6, w7));
  // ::a.b.c.d (compatible, deprecated): never legitimate today; name the embedded category when it has one.
  if (firstFiveZero && w5 === 0) return classifyV4(v4FromWords(w6, w7)) ?? "reserved";
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765).
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0xffff && w5 === 0) return classifyV4(v4FromWords(w6, w7));
  if (w0 === 0) return "reserved"; // rest of ::/16
  // 64:ff9b::/96 well-known NAT64 prefix: the gateway connects to the embedded IPv4.
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) return classifyV4(v4FromWords(w6, w7));
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 1) return "private"; // 64:ff9b:1::/48 local-use NAT64
  if (w0 === 0x100 && w1 === 0 && w2 === 0 && w3 === 0) return "reserved"; // 100::/64 discard-only
  if (w0 === 0x2002) return classifyV4(v4FromWords(w1, w2)) ?? null; // 6to4 embeds the IPv4 in bits 16–48
  if (w0 === 0x2001 && w1 === 0x0db8) return "documentation";
  if (w0 === 0x2001 && w1 === 0x0002 && w2 === 0) return "benchmarking";
  if (w0 === 0x2001 && w1 < 0x0200) return "reserved"; // 2001::/23: Teredo, ORCHID, AS112, …
  if (w0 === 0x3fff && w1 < 0x1000) return "documentation"; // 3fff::/20 (RFC 9637)
  if (w0 === 0x5f00) return "reserved"; // SRv6 SIDs
  if (w0 === 0xfd00 && w1 === 0x0ec2 && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0 && w6 === 0 && w7 === 0x254) {
    return "cloud-metadata"; // AWS IMDS over IPv6
  }
  if ((w0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((w0 & 0xffc0) === 0xfe80) return "link-local";
  if ((w0 & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((w0 & 0xff00) === 0xff00) return "multicast";
  if ((w0 & 0xe000) !== 0x2000) return "reserved"; // outside 2000::/3 global unicast
  return null;
}

/**
 * The category of an IP address the guard refuses, or null when it is public.
 * Accepts dotted IPv4 and IPv6 text, with or without brackets.
 */
export function classifyAddress(ip: string): AddressCategory | null {
  const text = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyV4(v4);
  const v6 = text.includes(":") ? parseIPv6(text) : null;
  if (v6 === null) return "invalid";
  return classifyV6(v6);
}

/** True when `host` is an IP literal (not a name that needs resolving). */
export function isIpLiteral(host: string): boolean {
  const text = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return parseIPv4(text) !== null || (text.includes(":") && parseIPv6(text) !== null);
}
