-- An import's uploaded features and staged geometries are written once and read a few times within
-- minutes: stored uncompressed (compressing megabytes of coordinates cost more than it saved), and
-- the staging not written to the WAL (a check's staging that a crash loses is made again by the
-- next check; the commit refuses a check whose staged rows are gone).
ALTER TABLE cell_import_features ALTER COLUMN geometry SET STORAGE EXTERNAL;
ALTER TABLE cell_import_staging ALTER COLUMN geom SET STORAGE EXTERNAL;
ALTER TABLE cell_import_staging SET UNLOGGED;
