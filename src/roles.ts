// The vocabulary of access (DESIGN §7): instance roles, app roles and the seven
// fixed API-key scopes. Top-level because storage (db/) types its rows with it
// and policy (auth/) builds the capability rules on it.

export const SCOPES = [
  "instance:admin",
  "instance:read",
  "app:admin",
  "app:write",
  "app:read",
  "script:write",
  "script:read",
] as const;
export type Scope = (typeof SCOPES)[number];

export type InstanceRole = "owner" | "admin" | "member";
export type AppRole = "viewer" | "editor" | "app_admin";
