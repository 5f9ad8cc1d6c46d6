-- Console sessions: one row per issued session token (its `jti`), so a single session can be ended
-- (logout, revocation from the session list, a password change ending the others) while the token
-- format and the Bearer scheme stay as they were.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- users.session_version when the session began: a later bump (password reset, disable) ends it
  user_version integer NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  user_agent text,
  ip text,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at DESC);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
