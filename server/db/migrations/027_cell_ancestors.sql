-- The hierarchy as a path: cells.ancestors holds the ids from the top-level cell down to the parent
-- (empty for a top-level cell). "At or below X" is `id = X OR ancestors @> ARRAY[X]` (a GIN lookup,
-- where the walks down parent_id were one recursive step per level), the top-level cell is
-- `ancestors[1]`, the chain of parents `unnest(ancestors)`, the depth `cardinality(ancestors)`.
-- parent_id stays the truth; the triggers below are the one place that writes the path.

-- Keeping the path changes no version of a cell: its history records parent_id, which moves with the
-- edit that re-parents it, not with the rewrite of its descendants' paths (same version: the history
-- has one row per version and operation).
CREATE OR REPLACE FUNCTION cells_record_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  diff text[] := '{}';
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO cell_versions (cell_id, version, code, name, level, parent_id, geom, changed_by, operation)
    VALUES (OLD.id, OLD.version, OLD.code, OLD.name, OLD.level, OLD.parent_id, OLD.geom,
            COALESCE(NULLIF(current_setting('wangge.actor', true), ''), OLD.updated_by), 'delete');
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id
       AND NEW.version = OLD.version THEN
      RETURN NEW;
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name THEN diff := array_append(diff, 'name'); END IF;
    IF NEW.code IS DISTINCT FROM OLD.code THEN diff := array_append(diff, 'code'); END IF;
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN diff := array_append(diff, 'parent'); END IF;
    IF NOT ST_Equals(NEW.geom, OLD.geom) THEN diff := array_append(diff, 'geometry'); END IF;
  END IF;
  INSERT INTO cell_versions (cell_id, version, code, name, level, parent_id, geom, changed_at, changed_by, operation, changed)
  VALUES (NEW.id, NEW.version, NEW.code, NEW.name, NEW.level, NEW.parent_id, NEW.geom, NEW.updated_at, NEW.updated_by,
          lower(TG_OP), diff);
  RETURN NEW;
END $$;

ALTER TABLE cells ADD COLUMN ancestors integer[] NOT NULL DEFAULT '{}';
-- The one walk left: filling the path of the cells there are.
WITH RECURSIVE path (id, ancestors) AS (
  SELECT id, '{}'::integer[] FROM cells WHERE parent_id IS NULL
  UNION ALL SELECT c.id, path.ancestors || path.id FROM cells c JOIN path ON c.parent_id = path.id)
UPDATE cells c SET ancestors = path.ancestors FROM path WHERE c.id = path.id AND cardinality(path.ancestors) > 0;
ALTER TABLE cells ALTER COLUMN ancestors DROP DEFAULT;
-- Cells are read far more than written: no pending list for every lookup to scan.
CREATE INDEX cells_ancestors_gin ON cells USING gin (ancestors) WITH (fastupdate = off);

-- A new or re-parented cell takes its parent's path and the parent. A parent written later in the
-- same statement (children before parents, as a foreign key allows) is not there yet: the path is
-- then the parent alone, and the parent's row completes it below.
CREATE FUNCTION cells_set_ancestors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  above integer[];
BEGIN
  IF NEW.parent_id IS NULL THEN
    NEW.ancestors := '{}';
    RETURN NEW;
  END IF;
  SELECT p.ancestors || p.id INTO above FROM cells p WHERE p.id = NEW.parent_id;
  NEW.ancestors := coalesce(above, ARRAY[NEW.parent_id]);
  IF NEW.id = ANY (NEW.ancestors) THEN
    RAISE EXCEPTION 'cell % cannot be placed below itself (parent %)', NEW.id, NEW.parent_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

-- The descendants of a cell whose path changed (or of a parent that arrived after its children) take
-- the new path, in one statement. The path is read from the table, not NEW: when one statement
-- re-parents a cell and a cell below it, the rewrite for the upper one may already have moved the
-- lower one on.
CREATE FUNCTION cells_rewrite_descendants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  path integer[];
BEGIN
  IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM cells WHERE parent_id = NEW.id) THEN
    RETURN NULL;
  END IF;
  SELECT c.ancestors || c.id INTO path FROM cells c WHERE c.id = NEW.id;
  IF path IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE cells d SET ancestors = path || d.ancestors[array_position(d.ancestors, NEW.id) + 1:]
  WHERE d.ancestors @> ARRAY[NEW.id] AND d.ancestors[:array_position(d.ancestors, NEW.id)] IS DISTINCT FROM path;
  RETURN NULL;
END $$;

CREATE TRIGGER cells_ancestors BEFORE INSERT OR UPDATE OF parent_id ON cells
  FOR EACH ROW EXECUTE FUNCTION cells_set_ancestors();
CREATE TRIGGER cells_ancestors_inserted AFTER INSERT ON cells
  FOR EACH ROW EXECUTE FUNCTION cells_rewrite_descendants();
CREATE TRIGGER cells_ancestors_moved AFTER UPDATE OF parent_id ON cells
  FOR EACH ROW WHEN (OLD.ancestors IS DISTINCT FROM NEW.ancestors) EXECUTE FUNCTION cells_rewrite_descendants();

-- The walks of earlier migrations, on the path.
CREATE OR REPLACE FUNCTION cell_within(cell integer, roots integer[]) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cardinality(roots) = 0 OR EXISTS (SELECT 1 FROM cells WHERE id = cell AND (id = ANY (roots) OR ancestors && roots))
$$;

CREATE OR REPLACE FUNCTION report_heat_root(cell integer) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT coalesce(ancestors[1], id) FROM cells WHERE id = cell), 0)
$$;

CREATE OR REPLACE FUNCTION report_heat_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_heat;
  INSERT INTO report_heat (band, day, i, j, category, severity, state_class, root_id, n)
  SELECT o.band, o.day, o.i, o.j, o.category, o.severity, o.state_class, o.root_id, count(*)::int
  FROM (SELECT r.geom, r.created_at, r.category, r.severity, r.state, coalesce(c.ancestors[1], c.id, 0) AS root
        FROM reports r LEFT JOIN cells c ON c.id = r.cell_id) r,
       report_heat_rows(r.geom, r.created_at, r.category, r.severity, r.state, r.root) o
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
END $$;
