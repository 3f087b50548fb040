-- The heatmap's rollup (server/command/heatmap.ts): report counts per Web Mercator grid cell at two
-- zoom bands, per UTC day of intake (and once more for all time, day = 'infinity'), per category,
-- severity, state class (open / closed / rejected) and top-level cell (root_id, 0 = unassigned).
-- A band-L cell (i, j) is floor(x / h), floor(y / h) of the report's EPSG:3857 point, h = the
-- world's width / 2^L, computed with the same arithmetic as the raw binning so the two agree.
-- Kept current by the trigger below in the transaction that changes the report (intake, every
-- workflow step, escalation, transfer, re-routing); a change of cell parents rebuilds it.
CREATE TABLE report_heat (
  band         smallint NOT NULL,
  day          date NOT NULL,
  i            integer NOT NULL,
  j            integer NOT NULL,
  category     text NOT NULL,
  severity     text NOT NULL,
  state_class  text NOT NULL,
  root_id      integer NOT NULL,
  n            integer NOT NULL,
  PRIMARY KEY (band, day, i, j, category, severity, state_class, root_id)
);

CREATE FUNCTION report_heat_state(state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN state = 'closed' THEN 'closed' WHEN state = 'rejected' THEN 'rejected' ELSE 'open' END
$$;

CREATE FUNCTION report_heat_root(cell integer) RETURNS integer LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up (id, parent_id) AS (
    SELECT id, parent_id FROM cells WHERE id = cell
    UNION ALL SELECT c.id, c.parent_id FROM cells c JOIN up ON c.id = up.parent_id)
  SELECT coalesce((SELECT id FROM up WHERE parent_id IS NULL LIMIT 1), 0)
$$;

-- The rows one report adds to the rollup (none outside the Web Mercator world).
CREATE FUNCTION report_heat_rows(g geometry, t timestamptz, cat text, sev text, st text, root integer)
RETURNS TABLE (band smallint, day date, i integer, j integer, category text, severity text, state_class text, root_id integer)
LANGUAGE sql STABLE AS $$
  SELECT b.band, d.day,
         floor(ST_X(g) * 111319.49079327358::float8 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int,
         floor(ln(tan(pi() / 4 + radians(ST_Y(g)) / 2)) * 6378137 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int,
         cat, sev, report_heat_state(st), root
  FROM (VALUES (15::smallint), (18::smallint)) b (band), -- HEAT_BANDS in server/command/heatmap.ts
       (VALUES ((t AT TIME ZONE 'UTC')::date), ('infinity'::date)) d (day)
  WHERE ST_Y(g) BETWEEN -85.05112878 AND 85.05112878 AND ST_X(g) BETWEEN -180 AND 180
$$;

CREATE FUNCTION report_heat_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.geom IS NOT DISTINCT FROM OLD.geom AND NEW.created_at = OLD.created_at
     AND NEW.category = OLD.category AND NEW.severity = OLD.severity
     AND report_heat_state(NEW.state) = report_heat_state(OLD.state)
     AND NEW.cell_id IS NOT DISTINCT FROM OLD.cell_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE report_heat h SET n = h.n - 1
    FROM report_heat_rows(OLD.geom, OLD.created_at, OLD.category, OLD.severity, OLD.state, report_heat_root(OLD.cell_id)) o
    WHERE (h.band, h.day, h.i, h.j, h.category, h.severity, h.state_class, h.root_id)
        = (o.band, o.day, o.i, o.j, o.category, o.severity, o.state_class, o.root_id);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO report_heat AS h (band, day, i, j, category, severity, state_class, root_id, n)
    SELECT o.*, 1 FROM report_heat_rows(NEW.geom, NEW.created_at, NEW.category, NEW.severity, NEW.state, report_heat_root(NEW.cell_id)) o
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (band, day, i, j, category, severity, state_class, root_id) DO UPDATE SET n = h.n + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_heat AFTER INSERT OR UPDATE OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION report_heat_apply();

-- Everything again from the reports (after a bulk load with the trigger disabled, or a change of
-- cell parents, which moves reports to another top-level cell).
CREATE FUNCTION report_heat_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_heat;
  INSERT INTO report_heat (band, day, i, j, category, severity, state_class, root_id, n)
  SELECT o.band, o.day, o.i, o.j, o.category, o.severity, o.state_class, o.root_id, count(*)::int
  FROM (WITH RECURSIVE roots (id, root) AS (
          SELECT id, id FROM cells WHERE parent_id IS NULL
          UNION ALL SELECT c.id, roots.root FROM cells c JOIN roots ON c.parent_id = roots.id)
        SELECT r.*, coalesce(roots.root, 0) AS root FROM reports r LEFT JOIN roots ON roots.id = r.cell_id) r,
       report_heat_rows(r.geom, r.created_at, r.category, r.severity, r.state, r.root) o
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
END $$;

CREATE FUNCTION report_heat_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_cells o JOIN new_cells c USING (id) WHERE o.parent_id IS DISTINCT FROM c.parent_id) THEN
    PERFORM report_heat_rebuild();
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER cells_heat AFTER UPDATE ON cells
  REFERENCING OLD TABLE AS old_cells NEW TABLE AS new_cells FOR EACH STATEMENT EXECUTE FUNCTION report_heat_cells();
