-- Routes bind a script to HTTP requests of its app; executions are the
-- per-invocation log (issue #3, owned by exec).

CREATE TABLE routes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  script_id   uuid NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  method      text NOT NULL CHECK (method IN ('ANY','GET','HEAD','POST','PUT','PATCH','DELETE','OPTIONS')),
  host_kind   text NOT NULL CHECK (host_kind IN ('any','strict','wildcard')),
  -- '' for host_kind 'any', so the uniqueness key below needs no NULL handling.
  host        text NOT NULL DEFAULT '',
  path_kind   text NOT NULL CHECK (path_kind IN ('exact','prefix','param')),
  path        text NOT NULL,
  -- The path with parameter names erased ('/greet/:' for '/greet/:name'):
  -- two routes with the same shape can never be told apart, so that is the conflict key.
  path_shape  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX routes_conflict_key ON routes (app_id, method, host_kind, host, path_kind, path_shape);
CREATE INDEX routes_script ON routes (script_id);

-- No foreign keys here: a log row outlives the script it describes (until the
-- retention sweep), and the batched writer must never fail a whole batch
-- because one script was deleted meanwhile.
CREATE TABLE executions (
  id                 uuid PRIMARY KEY,
  app_id             uuid NOT NULL,
  script_id          uuid NOT NULL,
  script_version     integer NOT NULL,
  trigger_kind       text NOT NULL DEFAULT 'http',
  status             text NOT NULL,
  http_status        integer,
  duration_ms        double precision NOT NULL DEFAULT 0,
  cpu_ms             double precision NOT NULL DEFAULT 0,
  request_method     text,
  request_url        text,
  request_size       integer,
  response_size      integer,
  console            jsonb NOT NULL DEFAULT '[]'::jsonb,
  console_truncated  boolean NOT NULL DEFAULT false,
  error              text,
  stack              text,
  root_execution_id  uuid,
  trigger_depth      integer NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now()
);
-- Only the two listing indexes: every index costs each logged request (≈ 7 µs
-- a row on PGlite, bench/http/log-writer.ts); the retention sweep, every 10
-- minutes, can afford a scan.
CREATE INDEX executions_script_newest ON executions (script_id, created_at DESC, id DESC);
CREATE INDEX executions_app_newest ON executions (app_id, created_at DESC, id DESC);
