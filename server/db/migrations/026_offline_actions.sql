-- Field work without signal (issue 23).
-- A staff write sent with an Idempotency-Key keeps its answer here: the same key sent again (a
-- phone replaying its queue after a lost answer) gets that answer back instead of a second write.
CREATE TABLE request_keys (
  key_hash    text PRIMARY KEY,
  route       text NOT NULL,
  fingerprint text NOT NULL,
  answer      jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX request_keys_created_idx ON request_keys (created_at);

-- An action done offline carries the phone's time: `at` is that time (corrected by the phone's
-- clock offset), received_at when the server got it, time_flag why the time looks implausible.
ALTER TABLE inspection_visits
  ADD COLUMN received_at timestamptz,
  ADD COLUMN clock_offset_ms bigint,
  ADD COLUMN time_flag text;
ALTER TABLE reports
  ADD COLUMN observed_at timestamptz,
  ADD COLUMN clock_offset_ms bigint,
  ADD COLUMN time_flag text;
