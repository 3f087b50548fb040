-- The heatmap's rollup, one row per band cell, day and top-level cell (server/command/heatmap.ts).
-- Migration 013 kept a row per category × severity × state class as well: a zoom-13 view of a city
-- with 10^7 reports summed about 6×10^5 of them. Now the row holds the count of every kind of report
-- in an array, n[slot], a kind's slot given by report_heat_kinds, so a view reads one row per band
-- cell whatever the filter (1.6×10^4 at zoom 13), and a filter is the sum of the kinds' slots it
-- selects. A third band, 21 (about 19 m), serves zooms 14 to 17 for all time only (a time window
-- that fine is few enough reports to bin from the table); bands 15 and 18 keep their days.
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

-- The slot of a kind, added on first sight.
CREATE FUNCTION report_heat_slot(cat text, sev text, st text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE s integer;
BEGIN
  SELECT slot INTO s FROM report_heat_kinds WHERE category = cat AND severity = sev AND state_class = report_heat_state(st);
  IF s IS NULL THEN
    INSERT INTO report_heat_kinds (category, severity, state_class) VALUES (cat, sev, report_heat_state(st))
    ON CONFLICT DO NOTHING RETURNING slot INTO s;
    IF s IS NULL THEN -- another transaction added it meanwhile
      SELECT slot INTO s FROM report_heat_kinds WHERE category = cat AND severity = sev AND state_class = report_heat_state(st);
    END IF;
  END IF;
  RETURN s;
END $$;

-- The band cells of one report (none outside the Web Mercator world): bands 15 and 18 per UTC day
-- of intake and for all time (day = 'infinity'), band 21 for all time only. HEAT_BANDS in heatmap.ts.
CREATE FUNCTION report_heat_rows(g geometry, t timestamptz)
RETURNS TABLE (band smallint, day date, i integer, j integer)
LANGUAGE sql STABLE AS $$
  SELECT b.band, d.day,
         floor(ST_X(g) * 111319.49079327358::float8 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int,
         floor(ln(tan(pi() / 4 + radians(ST_Y(g)) / 2)) * 6378137 / (40075016.68557849::float8 / 2::float8 ^ b.band::float8))::int
  FROM (VALUES (15::smallint, true), (18::smallint, true), (21::smallint, false)) b (band, daily),
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

CREATE OR REPLACE FUNCTION report_heat_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s integer; root integer;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.geom IS NOT DISTINCT FROM OLD.geom AND NEW.created_at = OLD.created_at
     AND NEW.category = OLD.category AND NEW.severity = OLD.severity
     AND report_heat_state(NEW.state) = report_heat_state(OLD.state)
     AND NEW.cell_id IS NOT DISTINCT FROM OLD.cell_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    s := report_heat_slot(OLD.category, OLD.severity, OLD.state);
    root := report_heat_root(OLD.cell_id);
    UPDATE report_heat h SET n[s] = coalesce(h.n[s], 0) - 1
    FROM report_heat_rows(OLD.geom, OLD.created_at) o
    WHERE (h.band, h.day, h.i, h.j, h.root_id) = (o.band, o.day, o.i, o.j, root);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    s := report_heat_slot(NEW.category, NEW.severity, NEW.state);
    root := report_heat_root(NEW.cell_id);
    -- Coarse bands first, as every writer does: a report's rows nest, so writers cannot deadlock.
    INSERT INTO report_heat AS h (band, day, i, j, root_id, n)
    SELECT o.band, o.day, o.i, o.j, root, array_fill(0, ARRAY[s - 1]) || 1
    FROM report_heat_rows(NEW.geom, NEW.created_at) o ORDER BY 1, 2, 3, 4
    ON CONFLICT (band, day, i, j, root_id) DO UPDATE SET n[s] = coalesce(h.n[s], 0) + 1;
  END IF;
  RETURN NULL;
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
