-- The heatmap's rollup, one row per band cell, day and top-level cell (server/command/heatmap.ts).
-- Migration 013 kept a row per category × severity × state class as well: a zoom-13 view of a city
-- with 10^7 reports summed about 6×10^5 of them. Now the row holds the count of every kind of report
-- in an array, n[slot], a kind's slot given by report_heat_kinds, so a view reads one row per band
-- cell whatever the filter (1.6×10^4 at zoom 13), and a filter is the sum of the kinds' slots it
-- selects. Two finer bands, 19 and 21 (about 76 and 19 m), serve zooms 14 to 16 and the edges of
-- coarser views, for all time only (a time window that fine is few enough reports to bin from the
-- table); bands 15 and 18 keep their days.
DROP TABLE report_heat;
DROP FUNCTION report_heat_rows(geometry, timestamptz, text, text, text, integer);

-- A kind of report: category, severity and state class; its slot is its place in report_heat.n.
-- Slots are only added (a sequence: a rolled-back or raced insert leaves a gap, read as 0).
CREATE TABLE report_heat_kinds (
  slot        serial PRIMARY KEY,
  category    text NOT NULL,
  severity    text NOT NULL,
  state_class text NOT NULL,
  UNIQUE (category, severity, state_class)
);

CREATE TABLE report_heat (
  band    smallint NOT NULL,
  day     date NOT NULL,
  i       integer NOT NULL,
  j       integer NOT NULL,
  root_id integer NOT NULL,
  n       integer[] NOT NULL,
  PRIMARY KEY (band, day, i, j, root_id)
);

-- The rollup as one row per kind (for reading and tests; the heatmap reads report_heat itself).
CREATE VIEW report_heat_counts AS
  SELECT h.band, h.day, h.i, h.j, k.category, k.severity, k.state_class, h.root_id, h.n[k.slot] AS n
  FROM report_heat h JOIN report_heat_kinds k ON coalesce(h.n[k.slot], 0) <> 0;

-- The band cells of one report (none outside the Web Mercator world): bands 15 and 18 per UTC day
-- of intake and for all time (day = 'infinity'), bands 19 and 21 for all time only. HEAT_BANDS in heatmap.ts.
CREATE FUNCTION report_heat_rows(g geometry, t timestamptz)
RETURNS TABLE (band smallint, day date, i integer, j integer)
LANGUAGE sql STABLE AS $$
  SELECT b.band, d.day,
         floor(ST_X(g) * 111319.49079327358::float8 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int,
         floor(ln(tan(pi() / 4 + radians(ST_Y(g)) / 2)) * 6378137 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int
  FROM (VALUES (15::smallint, true), (18::smallint, true), (19::smallint, false), (21::smallint, false)) b (band, daily),
       LATERAL (VALUES ('infinity'::date), (CASE WHEN b.daily THEN (t AT TIME ZONE 'UTC')::date END)) d (day)
  WHERE d.day IS NOT NULL AND ST_Y(g) BETWEEN -85.05112878 AND 85.05112878 AND ST_X(g) BETWEEN -180 AND 180
$$;

-- Counts per slot, as an array from 1 to the largest slot.
CREATE FUNCTION report_heat_array(slots integer[], ns integer[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a integer[] := array_fill(0, ARRAY[(SELECT max(s) FROM unnest(slots) s)]);
BEGIN
  FOR x IN 1 .. cardinality(slots) LOOP a[slots[x]] := ns[x]; END LOOP;
  RETURN a;
END $$;

-- Kept current per statement rather than per report: the reports a statement inserts, deletes or
-- changes (transition tables) are counted by band cell and kind, and each rollup row changes once,
-- all of them in key order. A group of reports filed together costs one upsert per band cell, and
-- two writers take the rows they share in the same order, so they cannot deadlock.
DROP TRIGGER reports_heat ON reports;
DROP FUNCTION report_heat_apply();

-- a + b, slot by slot (either may be shorter; a missing slot counts 0).
CREATE FUNCTION report_heat_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(coalesce(a[x], 0) + coalesce(b[x], 0) ORDER BY x) FROM generate_series(1, greatest(cardinality(a), cardinality(b))) x
$$;

-- Adds d (+1 or -1) for each report given as parallel arrays of its point, time, kind and top-level cell.
CREATE FUNCTION report_heat_merge(g geometry[], t timestamptz[], cat text[], sev text[], st text[], root integer[], d integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_heat_kinds (category, severity, state_class)
  SELECT DISTINCT u.cat, u.sev, report_heat_state(u.st) FROM unnest(cat, sev, st) u (cat, sev, st)
  WHERE NOT EXISTS (SELECT 1 FROM report_heat_kinds k
                    WHERE (k.category, k.severity, k.state_class) = (u.cat, u.sev, report_heat_state(u.st)))
  ORDER BY 1, 2, 3
  ON CONFLICT DO NOTHING;
  INSERT INTO report_heat AS h (band, day, i, j, root_id, n)
  SELECT c.band, c.day, c.i, c.j, c.root_id, report_heat_array(array_agg(c.slot), array_agg(c.dn))
  FROM (SELECT o.band, o.day, o.i, o.j, u.root AS root_id, k.slot, sum(u.d)::int AS dn
        FROM unnest(g, t, cat, sev, st, root, d) u (g, t, cat, sev, st, root, d)
        JOIN report_heat_kinds k ON (k.category, k.severity, k.state_class) = (u.cat, u.sev, report_heat_state(u.st))
        CROSS JOIN LATERAL report_heat_rows(u.g, u.t) o
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(u.d) <> 0) c
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (band, day, i, j, root_id) DO UPDATE SET n = report_heat_add(h.n, excluded.n);
END $$;

CREATE FUNCTION report_heat_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_heat_merge(array_agg(r.geom), array_agg(r.created_at), array_agg(r.category), array_agg(r.severity), array_agg(r.state),
                            array_agg(coalesce(c.ancestors[1], c.id, 0)), array_agg(1))
  FROM new_reports r LEFT JOIN cells c ON c.id = r.cell_id;
  RETURN NULL;
END $$;

CREATE FUNCTION report_heat_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_heat_merge(array_agg(r.geom), array_agg(r.created_at), array_agg(r.category), array_agg(r.severity), array_agg(r.state),
                            array_agg(coalesce(c.ancestors[1], c.id, 0)), array_agg(-1))
  FROM old_reports r LEFT JOIN cells c ON c.id = r.cell_id;
  RETURN NULL;
END $$;

-- A change that moves no report to another band cell, kind or top-level cell nets out to nothing.
CREATE FUNCTION report_heat_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_heat_merge(array_agg(x.geom), array_agg(x.created_at), array_agg(x.category), array_agg(x.severity), array_agg(x.state),
                            array_agg(coalesce(c.ancestors[1], c.id, 0)), array_agg(x.d))
  FROM (SELECT o.geom, o.created_at, o.category, o.severity, o.state, o.cell_id, -1 AS d
        FROM old_reports o JOIN new_reports n USING (id)
        WHERE (o.geom, o.created_at, o.category, o.severity, report_heat_state(o.state), o.cell_id)
              IS DISTINCT FROM (n.geom, n.created_at, n.category, n.severity, report_heat_state(n.state), n.cell_id)
        UNION ALL
        SELECT n.geom, n.created_at, n.category, n.severity, n.state, n.cell_id, 1
        FROM old_reports o JOIN new_reports n USING (id)
        WHERE (o.geom, o.created_at, o.category, o.severity, report_heat_state(o.state), o.cell_id)
              IS DISTINCT FROM (n.geom, n.created_at, n.category, n.severity, report_heat_state(n.state), n.cell_id)) x
  LEFT JOIN cells c ON c.id = x.cell_id;
  RETURN NULL;
END $$;

-- A cell moved under another top-level cell (or made one) takes its reports along: their counts
-- move from the old top-level cell to the new one (the cells below it follow in the statement that
-- rewrites their ancestors, and come here again). Migration 013 rebuilt the whole rollup instead:
-- minutes at 10^7 reports.
CREATE OR REPLACE FUNCTION report_heat_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_heat_merge(array_agg(r.geom), array_agg(r.created_at), array_agg(r.category), array_agg(r.severity), array_agg(r.state),
                            array_agg(x.root), array_agg(x.d))
  FROM (SELECT n.id, coalesce(o.ancestors[1], o.id) AS old_root, coalesce(n.ancestors[1], n.id) AS new_root
        FROM old_cells o JOIN new_cells n USING (id)) m
  JOIN reports r ON r.cell_id = m.id
  CROSS JOIN LATERAL (VALUES (m.old_root, -1), (m.new_root, 1)) x (root, d)
  WHERE m.old_root <> m.new_root;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_heat_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_reports
  FOR EACH STATEMENT EXECUTE FUNCTION report_heat_inserted();
CREATE TRIGGER reports_heat_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_reports
  FOR EACH STATEMENT EXECUTE FUNCTION report_heat_deleted();
CREATE TRIGGER reports_heat_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_reports NEW TABLE AS new_reports
  FOR EACH STATEMENT EXECUTE FUNCTION report_heat_updated();

-- Migration 025's partition maker, with the reports that wait in the DEFAULT partition moved out
-- through reports (statement triggers on a partitioned table fire for statements on it only).
CREATE OR REPLACE FUNCTION report_partition_create(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  lo timestamptz := first::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (first + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  part text := 'reports_y' || to_char(first, 'YYYY') || 'm' || to_char(first, 'MM');
  -- The partitions live in the schema of reports (not whichever schema of the path has the name).
  nsp_oid oid := (SELECT relnamespace FROM pg_class WHERE oid = 'reports'::regclass);
  nsp text := (SELECT nspname FROM pg_namespace WHERE oid = nsp_oid);
  waiting boolean;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = nsp_oid) THEN
    RETURN NULL;
  END IF;
  SELECT EXISTS (SELECT 1 FROM reports_default WHERE created_at >= lo AND created_at < hi) INTO waiting;
  IF NOT waiting THEN
    EXECUTE format('CREATE TABLE %I.%I PARTITION OF reports FOR VALUES FROM (%L) TO (%L)', nsp, part, lo, hi);
    RETURN part;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'report_keys_report_fkey' AND conrelid = to_regclass('report_keys')) THEN
    ALTER TABLE report_keys DROP CONSTRAINT report_keys_report_fkey;
  END IF;
  CREATE TEMP TABLE report_partition_moving ON COMMIT DROP AS
    SELECT * FROM reports_default WHERE created_at >= lo AND created_at < hi;
  -- Through reports, not its DEFAULT partition: the rollup's statement triggers are on reports, and
  -- this delete and the insert below then cancel out there.
  DELETE FROM reports WHERE created_at >= lo AND created_at < hi;
  EXECUTE format('CREATE TABLE %I.%I PARTITION OF reports FOR VALUES FROM (%L) TO (%L)', nsp, part, lo, hi);
  INSERT INTO reports SELECT * FROM report_partition_moving;
  DROP TABLE report_partition_moving;
  IF to_regclass('report_keys') IS NOT NULL THEN
    ALTER TABLE report_keys ADD CONSTRAINT report_keys_report_fkey FOREIGN KEY (id, created_at)
      REFERENCES reports (id, created_at) ON DELETE CASCADE ON UPDATE CASCADE;
  END IF;
  RETURN part;
END $$;

CREATE OR REPLACE FUNCTION report_heat_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_heat;
  INSERT INTO report_heat_kinds (category, severity, state_class)
  SELECT DISTINCT r.category, r.severity, report_heat_state(r.state) FROM reports r
  WHERE NOT EXISTS (SELECT 1 FROM report_heat_kinds k
                    WHERE (k.category, k.severity, k.state_class) = (r.category, r.severity, report_heat_state(r.state)))
  ORDER BY 1, 2, 3;
  INSERT INTO report_heat (band, day, i, j, root_id, n)
  SELECT band, day, i, j, root_id, report_heat_array(array_agg(slot), array_agg(n))
  FROM (SELECT o.band, o.day, o.i, o.j, r.root_id, k.slot, count(*)::int AS n
        FROM (SELECT r.geom, r.created_at, r.category, r.severity, report_heat_state(r.state) AS state_class,
                     coalesce(c.ancestors[1], c.id, 0) AS root_id
              FROM reports r LEFT JOIN cells c ON c.id = r.cell_id) r
        JOIN report_heat_kinds k USING (category, severity, state_class),
        report_heat_rows(r.geom, r.created_at) o
        GROUP BY 1, 2, 3, 4, 5, 6) c
  GROUP BY 1, 2, 3, 4, 5;
END $$;

SELECT report_heat_rebuild();
