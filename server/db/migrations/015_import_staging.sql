-- Imports run in short steps, so that other requests keep being answered meanwhile (the embedded
-- database is one connection): the uploaded features are kept one row each, and every check and
-- the commit work set-wise on the staging table below, a chunk of rows per statement.
CREATE TABLE cell_import_features (
  import_id  text NOT NULL REFERENCES cell_imports (id) ON DELETE CASCADE,
  idx        integer NOT NULL,
  geometry   jsonb,
  properties jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (import_id, idx)
);
ALTER TABLE cell_imports ALTER COLUMN features DROP NOT NULL;

-- The cells one check or commit of an import would write, in lon/lat: invisible to everyone (no
-- read touches this table), made cells in one set-wise INSERT inside the commit's short transaction.
-- A run left behind by a crash holds no cell; it is dropped with the day-old previews.
CREATE TABLE cell_import_staging (
  run        text NOT NULL,
  idx        integer NOT NULL,
  parent_idx integer,
  parent_id  integer,
  level      smallint,
  geom       geometry(Geometry, 4326) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run, idx)
);
CREATE INDEX cell_import_staging_created_idx ON cell_import_staging (created_at);
