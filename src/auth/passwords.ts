// Passwords: argon2id through Bun.password (DESIGN §1), no extra dependency.
import { randomBytes } from "node:crypto";
import { invalid } from "../errors.ts";

/**
 * OWASP's argon2id baseline (19 MiB, t=2): Bun's default (64 MiB) makes every
 * concurrent login cost a Raspberry Pi 64 MiB of RAM.
 */
const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

export const MIN_PASSWORD_LENGTH = 8;
/** argon2 hashes any length, but a megabyte "password" is a cheap way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

export const hashPassword = (password: string) => Bun.password.hash(password, ARGON2);

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false; // a malformed stored hash verifies nothing
  }
}

/** 24 characters of base64url: 144 random bits. */
export const generatePassword = () => randomBytes(18).toString("base64url");

/** Throws a 422 naming `field` unless `value` is an acceptable new password. */
export function validatePassword(value: unknown, field = "password"): string {
  if (typeof value !== "string") throw invalid(field, "must be a string");
  if (value.length < MIN_PASSWORD_LENGTH) throw invalid(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (value.length > MAX_PASSWORD_LENGTH) throw invalid(field, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}
