-- Identity and access (issue #4, DESIGN §7): accounts, sessions, API keys, app membership.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username      text NOT NULL,
  email         text,
  password_hash text NOT NULL,
  instance_role text NOT NULL DEFAULT 'member' CHECK (instance_role IN ('owner', 'admin', 'member')),
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Case-insensitive uniqueness: "Alice" and "alice" are one account, one address.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;

-- Opaque session tokens; only their SHA-256 is stored (the token has 256 random bits,
-- so a fast hash suffices: argon2 is for low-entropy passwords).
CREATE TABLE sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash   text NOT NULL UNIQUE,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- `pic_…` bearer keys: an indexed public prefix to find the row, a hashed secret to verify it.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  prefix       text NOT NULL,
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL,
  app_id       uuid REFERENCES apps (id) ON DELETE CASCADE,
  expires_at   timestamptz,
  last_used_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_scopes_known CHECK (scopes <@ ARRAY['instance:admin', 'instance:read', 'app:admin',
    'app:write', 'app:read', 'script:write', 'script:read']::text[]),
  -- DESIGN §7: a key bound to one app never carries instance-wide scopes.
  CONSTRAINT api_keys_bound_no_instance CHECK (app_id IS NULL OR NOT (scopes && ARRAY['instance:admin', 'instance:read']::text[]))
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TABLE app_members (
  app_id     uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('viewer', 'editor', 'app_admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, user_id)
);
-- Membership-filtered listings start from the user.
CREATE INDEX app_members_user_id_idx ON app_members (user_id);
