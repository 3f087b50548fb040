-- 有奖举报 claimed and paid: the reporter claims with the claim code given at filing (derived from
-- the tracking code, see server/reports/rewards.ts) and names the payee; a commander records the
-- payout against the claim.
ALTER TABLE report_rewards
  ADD COLUMN claimed_at  timestamptz,
  ADD COLUMN payee_name  text,
  ADD COLUMN payee_phone text,
  ADD COLUMN paid_amount integer CHECK (paid_amount >= 0),
  ADD COLUMN paid_on     date,
  ADD COLUMN paid_method text,
  ADD COLUMN paid_by     integer REFERENCES users (id),
  ADD COLUMN paid_note   text;

-- Resident satisfaction: the reporter rates the handling of a closed report, once.
CREATE TABLE report_ratings (
  report_id  integer PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
  score      smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment    text,
  at         timestamptz NOT NULL
);
