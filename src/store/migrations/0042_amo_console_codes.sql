-- One-time codes that open the web console inside the amoCRM widget's advanced settings page: the
-- widget asks for one with amoCRM's one-time JWT, puts it into the frame's address, and the page
-- spends it for a console session. Only the code's SHA-256 is kept; a code lives a minute and is
-- spent once (the row is deleted when it is used).
CREATE TABLE amo_console_codes (
  code_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  amo_user_id bigint NOT NULL,
  user_name text NOT NULL,
  is_admin boolean NOT NULL,
  locale text NOT NULL CHECK (locale IN ('ru', 'en')),
  expires_at timestamptz NOT NULL
);
CREATE INDEX amo_console_codes_expiry_idx ON amo_console_codes (expires_at);
