-- Failed sign-ins per (username as typed, client address): the lock applies to that pair only, so a
-- stranger cannot lock an account for its owner, and an unknown username is locked like a known one
-- (the answers do not tell which usernames exist). Attempts are counted in one atomic statement
-- before the password is checked, so concurrent guesses cannot all be checked.
CREATE TABLE sign_in_failures (
  username      text NOT NULL,
  address       text NOT NULL,
  failures      integer NOT NULL DEFAULT 0,
  -- How many times this pair was locked: each lock lasts twice as long as the one before.
  locks         integer NOT NULL DEFAULT 0,
  locked_until  timestamptz,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (username, address)
);
CREATE INDEX sign_in_failures_updated_idx ON sign_in_failures (updated_at);
