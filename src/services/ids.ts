// Ids are uuids; anything else can name no row, and handing it to Postgres as
// a uuid parameter would be a 22P02 error, not a 404.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: unknown): s is string => typeof s === "string" && UUID.test(s);
