-- Archiving a unit (归档) is a column, not a mark in its free attributes: patrol due-lists, coverage,
-- overdue counts, search and OGC leave archived units out by one predicate (archived_at IS NULL).
ALTER TABLE units ADD COLUMN archived_at timestamptz, ADD COLUMN archived_by text;

-- Units archived before this migration carry the mark in attributes (archivedAt, archivedBy).
UPDATE units SET
  archived_at = CASE WHEN attributes->>'archivedAt' ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$'
                     THEN (attributes->>'archivedAt')::timestamptz ELSE now() END,
  archived_by = attributes->>'archivedBy',
  attributes = attributes - 'archivedAt' - 'archivedBy'
WHERE attributes ? 'archivedAt';

CREATE INDEX units_active_cell ON units (cell_id) WHERE archived_at IS NULL;
