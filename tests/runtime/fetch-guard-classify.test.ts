// The address classifier, tested directly: these addresses are only
// classified, never connected to (team rule: traffic goes to loopback only).
import { describe, expect, test } from "bun:test";
import { classifyAddress, isIpLiteral } from "../../src/runtime/address-class.ts";
import { refusalMessage } from "../../src/runtime/fetch-guard.ts";

const TABLE: [string, string | null][] = [
  // IPv4
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.254", "private"],
  ["172.32.0.1", null],
  ["172.15.255.255", null],
  ["192.168.0.1", "private"],
  ["192.168.255.255", "private"],
  ["169.254.169.254", "cloud-metadata"],
  ["169.254.170.2", "cloud-metadata"],
  ["100.100.100.200", "cloud-metadata"],
  ["192.0.0.192", "cloud-metadata"],
  ["169.254.1.1", "link-local"],
  ["100.64.0.1", "carrier-grade-nat"],
  ["100.127.255.255", "carrier-grade-nat"],
  ["100.128.0.1", null],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["192.0.0.8", "reserved"],
  ["192.0.2.1", "documentation"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  ["1.1.1.1", null],
  ["8.8.8.8", null],
  ["1.2.3.4", null],
  ["93.184.216.34", null],
  // IPv6
  ["::1", "loopback"],
  ["::", "unspecified"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["fec0::1", "private"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["fd00:ec2::254", "cloud-metadata"],
  ["ff02::1", "multicast"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:169.254.169.254", "cloud-metadata"],
  ["::ffff:1.1.1.1", null],
  ["::ffff:0:10.0.0.1", "private"], // IPv4-translated
  ["::127.0.0.1", "loopback"], // IPv4-compatible
  ["::1.2.3.4", "reserved"],
  ["64:ff9b::a00:1", "private"], // NAT64 of 10.0.0.1
  ["64:ff9b::127.0.0.1", "loopback"],
  ["64:ff9b::1.1.1.1", null],
  ["64:ff9b:1::1", "private"],
  ["2002:0a00:0001::", "private"], // 6to4 of 10.0.0.1
  ["2002:7f00:1::1", "loopback"],
  ["2002:a9fe:a9fe::", "cloud-metadata"],
  ["2002:0101:0101::1", null],
  ["2001::1", "reserved"], // Teredo
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation"],
  ["2001:2::1", "benchmarking"],
  ["100::1", "reserved"],
  ["::2", "unspecified"], // IPv4-compatible form of 0.0.0.2
  ["4000::1", "reserved"],
  ["2606:4700::1111", null],
  ["2001:4860:4860::8888", null],
  ["[2606:4700::1111]", null],
  ["[::1]", "loopback"],
  // Not addresses: refused as invalid rather than guessed at.
  ["localhost", "invalid"],
  ["1.1.1", "invalid"],
  ["010.0.0.1", "invalid"],
  ["256.1.1.1", "invalid"],
  ["1::2::3", "invalid"],
  ["1:2:3:4:5:6:7:8:9", "invalid"],
];

describe("classifyAddress", () => {
  for (const [ip, category] of TABLE) {
    test(`${ip} → ${category ?? "public"}`, () => {
      expect(classifyAddress(ip)).toBe(category as ReturnType<typeof classifyAddress>);
    });
  }
});

test("isIpLiteral", () => {
  expect(isIpLiteral("127.0.0.1")).toBe(true);
  expect(isIpLiteral("[::1]")).toBe(true);
  expect(isIpLiteral("::ffff:10.0.0.1")).toBe(true);
  expect(isIpLiteral("example.com")).toBe(false);
  expect(isIpLiteral("localhost")).toBe(false);
});

test("refusal messages name the category", () => {
  expect(refusalMessage("loopback")).toBe("fetch refused: destination is a loopback address");
  expect(refusalMessage("cloud-metadata")).toBe("fetch refused: destination is a cloud metadata address");
  expect(refusalMessage("unique-local")).toBe("fetch refused: destination is an IPv6 unique local (private) address");
});
