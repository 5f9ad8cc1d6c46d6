-- A voice platform's account admits so many call starts per second (Twilio: 1 by default, and it
-- queues what comes faster — past the calling window, if enough do). The dispatcher spaces starts
-- of all campaigns on one platform by this row's tat, the same GCRA as a campaign's own pacing.
CREATE TABLE platform_pacing (
  platform text PRIMARY KEY,
  tat timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);
