// Lazy shim modules: each evaluates on first use of one of its globals, so a
// fresh context pays only for the bootstrap (DESIGN §2's per-context budget).
// Each source is `(function (I) { … return exports })`, I = the bootstrap's internals.
export const MODULES: Record<string, string> = {};
