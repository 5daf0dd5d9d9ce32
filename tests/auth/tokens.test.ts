import { describe, expect, test } from "bun:test";
import { mintApiKey } from "../../src/auth/api-keys.ts";
import { base32, sha256Hex } from "../../src/auth/tokens.ts";

describe("tokens", () => {
  test("base32 is RFC 4648 (lowercase, unpadded)", () => {
    const enc = (s: string) => base32(new TextEncoder().encode(s));
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map(enc)).toEqual(
      ["", "my", "mzxq", "mzxw6", "mzxw6yq", "mzxw6ytb", "mzxw6ytboi"],
    );
  });

  test("an API key is pic_ + base32 of 32 bytes; prefix and digest derive from it", () => {
    const k = mintApiKey();
    expect(k.token).toMatch(/^pic_[a-z2-7]{52}$/);
    expect(k.token.startsWith(k.prefix)).toBe(true);
    expect(k.prefix).toHaveLength(16);
    expect(k.secretHash).toBe(sha256Hex(k.token));
    expect(mintApiKey().token).not.toBe(k.token);
  });
});
