// Request and response shapes of the identity endpoints, for validation at the
// edge and for the OpenAPI document. The services check the finer rules
// (username syntax, email shape, password length, escalation) and name the field.
import { z } from "zod";
import { APP_ROLES, INSTANCE_ROLES, SCOPES } from "../../auth/capabilities.ts";

const id = z.string().describe("uuid");
const timestamp = z.string().describe("ISO-8601 timestamp");
const instanceRole = z.enum(INSTANCE_ROLES);
const appRole = z.enum(APP_ROLES);

export const loginBody = z.object({ username: z.string(), password: z.string() });
export const meSchema = z.object({ id, username: z.string(), email: z.string().nullable(), instance_role: instanceRole });
export const loginSchema = z.object({ token: z.string(), expires_at: timestamp, user: meSchema });

export const userSchema = meSchema.extend({ is_active: z.boolean(), created_at: timestamp, updated_at: timestamp });
export const userCreateBody = z.object({
  username: z.string().describe("1–64 of letters, digits, '.', '_', '-'; unique ignoring case"),
  password: z.string().describe("8–1024 characters"),
  email: z.string().nullable().optional().describe("trimmed; blank = none; unique ignoring case"),
  instance_role: instanceRole.optional().describe("default member; only an owner grants owner"),
});
export const userPatchBody = z
  .object({
    username: z.string(),
    password: z.string(),
    email: z.string().nullable().describe("null clears"),
    instance_role: instanceRole,
    is_active: z.boolean().describe("false ends the user's sessions and API keys at once"),
  })
  .partial()
  .describe("JSON Merge Patch: an absent field is kept");

export const apiKeyBody = z.object({
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)).describe("a bound key cannot carry instance:*"),
  app_id: id.nullable().optional().describe("bind the key to one app"),
  expires_at: timestamp.nullable().optional(),
});
export const apiKeySchema = z.object({
  id, name: z.string(), prefix: z.string(), scopes: z.array(z.enum(SCOPES)), app_id: id.nullable(),
  expires_at: timestamp.nullable(), last_used_at: timestamp.nullable(), created_at: timestamp,
});
export const mintedKeySchema = apiKeySchema.extend({
  token: z.string().describe("the raw pic_… key: shown in this answer only"),
});

export const memberBody = z.object({ user_id: id, role: appRole });
export const memberPatchBody = z.object({ role: appRole });
export const memberSchema = z.object({
  app_id: id, user_id: id, role: appRole, created_at: timestamp, updated_at: timestamp,
  username: z.string(), email: z.string().nullable(), instance_role: instanceRole, is_active: z.boolean(),
});
/** What an app admin sees of a user they might add: no email (they may not be allowed to list users). */
export const memberCandidateSchema = z.object({ id, username: z.string() });
export const memberCandidatesQuery = z.object({
  q: z.string().optional().describe("required: 1–64 characters, the start of a username or email (case-insensitive)"),
});
