// Request and response shapes of core's admin endpoints, for validation at the
// edge and for the OpenAPI document. The services check the finer rules
// (slug syntax, ceilings, compile) and name the field themselves.
import { z } from "zod";

const id = z.string().describe("uuid");
const timestamp = z.string().describe("ISO-8601 timestamp");

export const appSchema = z.object({
  id, slug: z.string(), name: z.string(), description: z.string(), created_at: timestamp, updated_at: timestamp,
});
export const appWithRoleSchema = appSchema.extend({
  my_role: z.enum(["viewer", "editor", "app_admin"]).nullable(),
});
export const appBody = z.object({
  slug: z.string().optional().describe("lowercase a-z, 0-9 and dashes, 1–63, not reserved; derived from name when absent"),
  name: z.string().optional(),
  description: z.string().optional(),
});
export const slugCheckBody = z.object({ slug: z.string() });
export const slugCheckSchema = z.object({
  slug: z.string(), valid: z.boolean(), available: z.boolean(), reason: z.string().nullable(), app_id: z.string().nullable(),
});

export const domainSchema = z.object({ id, app_id: id, domain: z.string(), created_at: timestamp });
export const domainBody = z.object({
  domain: z.string().describe("exact (api.example.com) or wildcard (*.example.com); stored lowercase"),
});

const limitsSchema = z
  .object({
    timeout_ms: z.number().int(), cpu_ms: z.number().int(), memory_mb: z.number().int(), stack_kb: z.number().int(),
    request_body_bytes: z.number().int(), response_body_bytes: z.number().int(),
    console_bytes: z.number().int(), concurrent_fetches: z.number().int(),
  })
  .partial()
  .describe("each at most the operator ceiling (PICLOUD_MAX_*); absent = default");

export const scriptSchema = z.object({
  id, app_id: id, name: z.string(), description: z.string(), kind: z.enum(["endpoint", "module"]),
  source: z.string(), imports: z.array(z.string()), handlers: z.record(z.string(), z.boolean()),
  limits: limitsSchema, version: z.number().int(), created_at: timestamp, updated_at: timestamp,
});
export const scriptCreateBody = z.object({
  app_id: z.string().describe("app id or slug"),
  name: z.string(),
  source: z.string(),
  kind: z.enum(["endpoint", "module"]).optional(),
  description: z.string().optional(),
  limits: z.record(z.string(), z.unknown()).optional(),
});
export const scriptPatchBody = scriptCreateBody.partial();
export const scriptVersionSchema = z.object({
  script_id: id, version: z.number().int(), source: z.string(), imports: z.array(z.string()), created_at: timestamp,
});
export const rollbackBody = z.object({ version: z.number().int() });
