// What a credential costs per request: argon2id (login only), API-key verification
// (cached and uncached) and session resolution on PGlite. One run, numbers printed.
//   bun bench/auth/verify.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKeyVerifier, mintApiKey } from "../../src/auth/api-keys.ts";
import { hashPassword, verifyPassword } from "../../src/auth/passwords.ts";
import { createSessions } from "../../src/auth/sessions.ts";
import { loadConfig } from "../../src/config.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDb } from "../../src/db/open.ts";
import { insertApiKey } from "../../src/db/queries/api-keys.ts";
import { insertUser } from "../../src/db/queries/users.ts";
import { silentLogger } from "../../src/log.ts";

async function time(label: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(n, 20); i++) await fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(10)} µs/op  (n=${n})`);
}

const dir = mkdtempSync(join(tmpdir(), "picloud-bench-auth-"));
const config = loadConfig({ PICLOUD_DATA_DIR: dir });
const db = await openDb(config, silentLogger);
try {
  await migrate(db, silentLogger);
  const hash = await hashPassword("correct-horse-battery");
  await time("argon2id hash (19 MiB, t=2)", 10, () => hashPassword("correct-horse-battery"));
  await time("argon2id verify", 10, () => verifyPassword("correct-horse-battery", hash));

  const user = await insertUser(db, { username: "bench", email: null, passwordHash: hash, instanceRole: "admin" });
  const key = mintApiKey();
  await insertApiKey(db, { userId: user.id, name: "b", prefix: key.prefix, secretHash: key.secretHash, scopes: ["app:read"], appId: null, expiresAt: null });
  const cached = createApiKeyVerifier({ db, log: silentLogger });
  await time("API key verify, cached (LRU hit)", 100_000, () => cached.verify(key.token));
  await time("API key verify, uncached (PGlite query)", 500, () => {
    cached.clear();
    return cached.verify(key.token);
  });
  const sessions = createSessions({ db, ttlHours: 24 });
  const s = await sessions.create(user.id, { ip: null, userAgent: null });
  await time("session resolve, cached (LRU hit)", 100_000, () => sessions.resolve(s.token));
  await time("session resolve, uncached (PGlite query)", 500, () => {
    sessions.clear();
    return sessions.resolve(s.token);
  });
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
