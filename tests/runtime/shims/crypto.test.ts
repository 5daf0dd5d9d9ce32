// crypto: randomUUID, getRandomValues, subtle (digest, HMAC, AES-GCM, PBKDF2, HKDF, JWK).
import { describe, expect, test } from "bun:test";
import { sandboxForFile } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();
const HEX = `const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");`;

describe("crypto", () => {
  test("randomUUID and getRandomValues", async () => {
    const r = (await sb.run(`const a = new Uint8Array(16); const same = crypto.getRandomValues(a) === a;
      const b = crypto.getRandomValues(new Uint32Array(4));
      let quota, type; try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e) { quota = e.name; }
      try { crypto.getRandomValues(new Float64Array(2)); } catch (e) { type = e.name; }
      return [crypto.randomUUID(), crypto.randomUUID(), same, a.some((x) => x !== 0), b.length, quota, type];`)) as unknown[];
    expect(r[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r[0]).not.toBe(r[1]);
    expect(r.slice(2)).toEqual([true, true, 4, "QuotaExceededError", "TypeMismatchError"]);
  });
  test("digest SHA-1/256/384/512", () =>
    same(`${HEX} const data = new TextEncoder().encode("abc"); const out = [];
      for (const alg of ["SHA-1", "SHA-256", "SHA-384", "SHA-512", { name: "sha-256" }]) out.push(hex(await crypto.subtle.digest(alg, data)));
      out.push(hex(await crypto.subtle.digest("SHA-256", new Uint8Array(0))));
      try { await crypto.subtle.digest("MD5", data); } catch (e) { out.push(e.name); }
      return out;`));
  test("HMAC known vectors (RFC 4231 case 2) and verify", async () => {
    const r = await same(`${HEX} const enc = new TextEncoder();
      const key = await crypto.subtle.importKey("raw", enc.encode("Jefe"), { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
      const sig = await crypto.subtle.sign("HMAC", key, enc.encode("what do ya want for nothing?"));
      const k512 = await crypto.subtle.importKey("raw", enc.encode("Jefe"), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
      const sig512 = await crypto.subtle.sign({ name: "HMAC" }, k512, enc.encode("what do ya want for nothing?"));
      const ok = await crypto.subtle.verify("HMAC", key, sig, enc.encode("what do ya want for nothing?"));
      const bad = await crypto.subtle.verify("HMAC", key, sig, enc.encode("tampered"));
      return [hex(sig), hex(sig512), ok, bad, key.algorithm, key.usages, key.type, key.extractable];`);
    expect((r as string[])[0]).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect((r as string[])[1]).toBe("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  });
  test("HMAC generateKey, exportKey raw/jwk, importKey jwk", () =>
    same(`${HEX} const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-384" }, true, ["sign"]);
      const raw = await crypto.subtle.exportKey("raw", key); const jwk = await crypto.subtle.exportKey("jwk", key);
      const back = await crypto.subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-384" }, true, ["sign"]);
      const data = new TextEncoder().encode("m");
      const same = hex(await crypto.subtle.sign("HMAC", key, data)) === hex(await crypto.subtle.sign("HMAC", back, data));
      return [raw.byteLength, jwk.kty, jwk.alg, jwk.k.length, jwk.key_ops, key.algorithm.length, same];`));
  test("AES-GCM round trip with additionalData and tagLength; tampering fails", () =>
    same(`${HEX} const enc = new TextEncoder();
      const key = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(7), "AES-GCM", true, ["encrypt", "decrypt"]);
      const iv = new Uint8Array(12).fill(1); const aad = enc.encode("header");
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, enc.encode("secret message"));
      const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, ct);
      const ct96 = await crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 96 }, key, enc.encode("x"));
      const bad = new Uint8Array(ct); bad[0] ^= 1; let err;
      try { await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, bad); } catch (e) { err = e.name; }
      const gen = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt", "decrypt"]);
      const jwk = await crypto.subtle.exportKey("jwk", gen);
      const imported = await crypto.subtle.importKey("jwk", jwk, "AES-GCM", false, ["decrypt"]);
      const ct2 = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, gen, enc.encode("jwk"));
      return [hex(ct), new TextDecoder().decode(pt), ct96.byteLength, err, jwk.alg, new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, imported, ct2)), key.algorithm];`));
  test("PBKDF2 and HKDF deriveBits / deriveKey", () =>
    same(`${HEX} const enc = new TextEncoder();
      const pw = await crypto.subtle.importKey("raw", enc.encode("password"), "PBKDF2", false, ["deriveBits", "deriveKey"]);
      const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: enc.encode("salt"), iterations: 1000 }, pw, 256);
      const ikm = await crypto.subtle.importKey("raw", new Uint8Array(22).fill(11), "HKDF", false, ["deriveBits", "deriveKey"]);
      const hk = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(13).map((_, i) => i), info: new Uint8Array(10).map((_, i) => 0xf0 + i) }, ikm, 336);
      const aes = await crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: enc.encode("s"), iterations: 10 }, pw, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
      return [hex(bits), hex(hk), aes.algorithm, hex(await crypto.subtle.exportKey("raw", aes))];`));
  test("usage and algorithm errors are DOMExceptions", () =>
    same(`const k = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]); const out = [];
      for (const f of [() => crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, k, new Uint8Array(32)),
        () => crypto.subtle.exportKey("raw", k), () => crypto.subtle.importKey("raw", new Uint8Array(15), "AES-GCM", false, ["encrypt"]),
        () => crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"])])
        try { await f(); out.push("ok"); } catch (e) { out.push(e.name); }
      return out;`));
  test("host work is capped: huge HMAC keys, derived lengths and PBKDF2 iterations are OperationErrors", async () => {
    expect(await sb.run(`const enc = new TextEncoder(); const out = [];
      const pw = await crypto.subtle.importKey("raw", enc.encode("pw"), "PBKDF2", false, ["deriveBits"]);
      for (const f of [() => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 1e9 }, true, ["sign"]),
        () => crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: enc.encode("s"), iterations: 1e9 }, pw, 256),
        () => crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: enc.encode("s"), iterations: 1 }, pw, 8 * 1e6)])
        try { await f(); out.push("ok"); } catch (e) { out.push(e.name); }
      return out;`)).toEqual(["OperationError", "OperationError", "OperationError"]);
  });
});
