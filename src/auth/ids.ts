// Ids arrive from URLs and bodies as strings; queries take uuids. Checking the
// shape first keeps "not a uuid" a 404/422 instead of a database cast error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);
