-- An import keeps its last check: the options, what the PostGIS checks found and the staging run
-- holding its geometries, so that a commit with the same options writes them without checking again.
ALTER TABLE cell_imports ADD COLUMN checked_options text, ADD COLUMN checked_spatial jsonb;
