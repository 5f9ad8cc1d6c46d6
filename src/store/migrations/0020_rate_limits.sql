-- Counters of failed sign-ins, setup-code and API-key attempts (rate-limiter-flexible's PostgreSQL
-- store, shared by every Dozvon process on the database). The library's own layout: key with its
-- limiter's prefix, points consumed, expiry in ms since the epoch. Created here rather than by the
-- library at run time; expired rows are swept by a scheduled job.
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX rate_limits_expire_idx ON rate_limits (expire);
