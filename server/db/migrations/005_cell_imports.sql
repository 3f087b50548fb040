-- Uploaded boundary files waiting for the planner's commit: the import preview. Features keep the
-- file's own coordinates, so the planner can still change the coordinate system before committing.
-- In the database, not in a process's memory, so any API process can take the commit.
CREATE TABLE cell_imports (
  id            text PRIMARY KEY,
  user_id       integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  file_name     text NOT NULL,
  format        text NOT NULL,
  source_crs    jsonb,
  encoding      text,
  warnings      jsonb NOT NULL DEFAULT '[]',
  features      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  committed_at  timestamptz,
  committed_ids integer[]
);
CREATE INDEX cell_imports_created_idx ON cell_imports (created_at);
