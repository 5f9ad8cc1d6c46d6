-- The console hears of an attempt when what it shows changes (status, outcome, recording), not at
-- every update naming those columns: a live call's AMD verdict, gender and lease writes set
-- `status` to itself and each paid a pg_notify, a JSON payload and a listener's wake-up for
-- nothing (bench `voiceCallbacks`: 2,400 notifications for 2,400 events, half of them unchanged).
DROP TRIGGER attempts_console_notify ON attempts;
CREATE TRIGGER attempts_console_notify_insert AFTER INSERT ON attempts
  FOR EACH ROW EXECUTE FUNCTION dozvon_console_attempt();
CREATE TRIGGER attempts_console_notify AFTER UPDATE OF status, outcome, recording_id ON attempts
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.outcome IS DISTINCT FROM NEW.outcome OR OLD.recording_id IS DISTINCT FROM NEW.recording_id)
  EXECUTE FUNCTION dozvon_console_attempt();
