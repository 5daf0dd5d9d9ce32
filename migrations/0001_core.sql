-- Core: apps, their slug history and domains, scripts and their versions.
-- Every app-owned row cascades from apps, so `DELETE apps?force=true` is one statement in one transaction.

CREATE TABLE apps (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A renamed app's old slugs, kept so links to them answer 308 to the new path for good.
CREATE TABLE app_slug_history (
  slug       text PRIMARY KEY,
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_slug_history_app_id ON app_slug_history (app_id);

-- Host claims: an exact name (`api.example.com`) or a wildcard (`*.example.com`), lowercase, unique across apps.
CREATE TABLE domains (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  domain     text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_app_id ON domains (app_id);

CREATE TABLE scripts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  kind        text NOT NULL DEFAULT 'endpoint' CHECK (kind IN ('endpoint', 'module')),
  source      text NOT NULL,
  compiled    text NOT NULL,
  imports     jsonb NOT NULL DEFAULT '[]',
  handlers    jsonb NOT NULL DEFAULT '{}',
  -- The script's own limits in snake_case (timeout_ms, …); absent keys use the operator defaults.
  limits      jsonb NOT NULL DEFAULT '{}',
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scripts_app_name UNIQUE (app_id, name)
);

-- Every version a script has had, the current one included; rollback copies one forward as a new version.
CREATE TABLE script_versions (
  script_id  uuid NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version    integer NOT NULL,
  source     text NOT NULL,
  compiled   text NOT NULL,
  imports    jsonb NOT NULL DEFAULT '[]',
  handlers   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (script_id, version)
);

-- Instance-wide facts that are not app data, e.g. `seeded` once the fresh-install seed ran
-- (so deleting the default app does not bring it back at the next start).
CREATE TABLE picloud_meta (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
