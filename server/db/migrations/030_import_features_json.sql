-- An import's uploaded features are written once and read back whole a few times: kept as json
-- (the text as written, checked once) rather than jsonb, whose binary form PostgreSQL builds on
-- every write and turns back into text on every read (a third of the upload's storing time for
-- the us-atlas counties). json also keeps the file's order of properties for the preview's fields.
ALTER TABLE cell_import_features
  ALTER COLUMN geometry TYPE json USING geometry::json,
  ALTER COLUMN properties DROP DEFAULT,
  ALTER COLUMN properties TYPE json USING properties::json,
  ALTER COLUMN properties SET DEFAULT '{}';
ALTER TABLE cell_import_features ALTER COLUMN geometry SET STORAGE EXTERNAL;
