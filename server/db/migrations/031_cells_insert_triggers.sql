-- Cells written many at a time (an import's one INSERT of thousands) pay for their triggers once per
-- statement, not once per row: the history rows of new cells are written in one statement, and only
-- new cells with children whose path is wrong rewrite paths (the row trigger looked for children of
-- every new cell, and rewrote below every one that had any).

-- The descendants of a cell take its path as the table holds it now (see 027).
CREATE FUNCTION cells_rewrite_below(cell integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  path integer[];
BEGIN
  SELECT c.ancestors || c.id INTO path FROM cells c WHERE c.id = cell;
  IF path IS NULL THEN
    RETURN;
  END IF;
  UPDATE cells d SET ancestors = path || d.ancestors[array_position(d.ancestors, cell) + 1:]
  WHERE d.ancestors @> ARRAY[cell] AND d.ancestors[:array_position(d.ancestors, cell)] IS DISTINCT FROM path;
END $$;

-- A re-parented cell (row trigger, as before).
CREATE OR REPLACE FUNCTION cells_rewrite_descendants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cells_rewrite_below(NEW.id);
  RETURN NULL;
END $$;

-- New cells whose children hold a path that is not theirs: parents written after their children in
-- the statement (a child then holds its parent alone). A statement writing parents first (an import)
-- leaves none, and rewrites nothing. A child written before its parent holds at least the parent in
-- its path, so rewriting below each such cell, in any order, mends every path below: a rewrite made
-- from a parent's path not yet complete is redone by the rewrite below the cell above it.
CREATE FUNCTION cells_rewrite_below_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent integer;
BEGIN
  FOR parent IN
    SELECT n.id FROM new_cells n JOIN cells p ON p.id = n.id
    WHERE EXISTS (SELECT 1 FROM cells c WHERE c.parent_id = n.id AND c.ancestors IS DISTINCT FROM p.ancestors || p.id)
  LOOP
    PERFORM cells_rewrite_below(parent);
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER cells_ancestors_inserted ON cells;
CREATE TRIGGER cells_ancestors_inserted AFTER INSERT ON cells REFERENCING NEW TABLE AS new_cells
  FOR EACH STATEMENT EXECUTE FUNCTION cells_rewrite_below_inserted();

-- The history row of every new cell, as cells_record_version wrote it for an INSERT.
CREATE FUNCTION cells_record_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cell_versions (cell_id, version, code, name, level, parent_id, geom, changed_at, changed_by, operation, changed)
  SELECT id, version, code, name, level, parent_id, geom, updated_at, updated_by, 'insert', '{}' FROM new_cells;
  RETURN NULL;
END $$;

DROP TRIGGER cells_versioned ON cells;
CREATE TRIGGER cells_versioned AFTER UPDATE OR DELETE ON cells
  FOR EACH ROW EXECUTE FUNCTION cells_record_version();
CREATE TRIGGER cells_versioned_inserted AFTER INSERT ON cells REFERENCING NEW TABLE AS new_cells
  FOR EACH STATEMENT EXECUTE FUNCTION cells_record_inserted();
