// Saved login: one server URL and one token in the platform config dir,
// readable by the user only (0600 file in a 0700 directory).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface SavedCredentials {
  url: string;
  token: string;
  username?: string;
  saved_at: string;
}

export interface CredentialStore {
  readonly path: string;
  read(): SavedCredentials | null;
  write(credentials: SavedCredentials): void;
  clear(): boolean;
}

export function createCredentialStore(configDir: string): CredentialStore {
  const path = join(configDir, "credentials.json");
  return {
    path,
    read() {
      if (!existsSync(path)) return null;
      try {
        const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<SavedCredentials>;
        if (typeof parsed.url !== "string" || typeof parsed.token !== "string") return null;
        return parsed as SavedCredentials;
      } catch {
        return null; // a corrupt file is the same as no login; `login` rewrites it
      }
    },
    write(credentials) {
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      // Written to a private temp file then renamed, so the token is never
      // briefly world-readable and a crash never leaves half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened: be exact
      renameSync(tmp, path);
    },
    clear() {
      if (!existsSync(path)) return false;
      rmSync(path, { force: true });
      return true;
    },
  };
}

export interface Target {
  url: string | undefined;
  token: string | undefined;
}

/**
 * PICLOUD_URL and PICLOUD_TOKEN win over the file. A saved token is only sent
 * to the server it was issued by: pointing PICLOUD_URL elsewhere drops it.
 */
export function resolveTarget(env: { url?: string; token?: string }, saved: SavedCredentials | null): Target {
  const url = normalizeUrl(env.url ?? saved?.url);
  const savedToken = saved && url !== undefined && normalizeUrl(saved.url) === url ? saved.token : undefined;
  return { url, token: env.token ?? savedToken };
}

export function normalizeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  return withScheme.replace(/\/+$/, "");
}
