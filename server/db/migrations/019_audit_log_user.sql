-- The audit log is filtered by who acted; newest first within one user's entries.
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id DESC);
