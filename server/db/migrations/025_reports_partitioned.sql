-- Reports partitioned by month of intake (created_at, UTC months): one partition per month
-- (reports_yYYYYmMM), created ahead by the server (server/reports/partitions.ts), and a DEFAULT
-- partition as a safety net so an intake is never refused for want of a partition. A month's
-- partition is the unit a deployment archives or drops later; queries over a time window read only
-- the months it covers.
--
-- PostgreSQL only enforces uniqueness on a partitioned table when the key holds the partition key,
-- so reports' key becomes (id, created_at). The report id and the tracking code must stay unique
-- across all months and the tables about a report keep referencing it by report_id alone: both go
-- through report_keys, one narrow row per report (id, created_at, tracking_code) that references
-- the report by (id, created_at) and is written by a trigger on reports. Deleting a report deletes
-- its key, which deletes what references it (events, photos, rewards …), as before.

ALTER TABLE reports RENAME TO reports_unpartitioned;
ALTER TABLE reports_unpartitioned RENAME CONSTRAINT reports_pkey TO reports_unpartitioned_pkey;

-- The same columns in the same order (the identity becomes a sequence: PostgreSQL 15 has no
-- identity columns on partitioned tables).
CREATE TABLE reports (LIKE reports_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (created_at);
CREATE TABLE reports_default PARTITION OF reports DEFAULT;

-- The partition of the UTC month holding `month`, created if missing. Reports of that month already
-- waiting in the DEFAULT partition move into it (the constraint from report_keys is set aside while
-- they move and checked again after: a report keeps its id, time and everything that references it).
CREATE FUNCTION report_partition_create(month date) RETURNS text LANGUAGE plpgsql AS $$
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
  DELETE FROM reports_default WHERE created_at >= lo AND created_at < hi;
  EXECUTE format('CREATE TABLE %I.%I PARTITION OF reports FOR VALUES FROM (%L) TO (%L)', nsp, part, lo, hi);
  INSERT INTO reports SELECT * FROM report_partition_moving;
  DROP TABLE report_partition_moving;
  IF to_regclass('report_keys') IS NOT NULL THEN
    ALTER TABLE report_keys ADD CONSTRAINT report_keys_report_fkey FOREIGN KEY (id, created_at)
      REFERENCES reports (id, created_at) ON DELETE CASCADE ON UPDATE CASCADE;
  END IF;
  RETURN part;
END $$;

-- The partitions of every month from `first` to `last` (both included) and of every month that has
-- reports in the DEFAULT partition. Returns the partitions it created.
CREATE FUNCTION report_partitions_ensure(first date, last date) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  m date;
  made text;
BEGIN
  FOR m IN
    SELECT generate_series(date_trunc('month', first), date_trunc('month', last), interval '1 month')::date
    UNION SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM reports_default
    ORDER BY 1
  LOOP
    made := report_partition_create(m);
    IF made IS NOT NULL THEN
      RETURN NEXT made;
    END IF;
  END LOOP;
END $$;

-- The months of the reports already filed; their rows move in below.
SELECT report_partition_create(m)
FROM (SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS m FROM reports_unpartitioned) months;

INSERT INTO reports SELECT * FROM reports_unpartitioned;

ALTER TABLE reports ADD CONSTRAINT reports_pkey PRIMARY KEY (id, created_at);

CREATE TABLE report_keys (
  id             integer PRIMARY KEY,
  created_at     timestamptz NOT NULL,
  tracking_code  text NOT NULL UNIQUE,
  CONSTRAINT report_keys_report_fkey FOREIGN KEY (id, created_at)
    REFERENCES reports (id, created_at) ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO report_keys (id, created_at, tracking_code) SELECT id, created_at, tracking_code FROM reports;

-- Every table that referenced reports (id) now references report_keys (id), with the same
-- constraint name and actions.
DO $$
DECLARE
  fk record;
BEGIN
  FOR fk IN
    SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = 'reports_unpartitioned'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname,
      regexp_replace(fk.def, 'REFERENCES \S+\(id\)', 'REFERENCES report_keys(id)'));
  END LOOP;
END $$;

CREATE SEQUENCE reports_id_seq_partitioned AS integer;
SELECT setval('reports_id_seq_partitioned', coalesce((SELECT max(id) FROM reports), 0) + 1, false);
DROP TABLE reports_unpartitioned;
ALTER SEQUENCE reports_id_seq_partitioned RENAME TO reports_id_seq;
ALTER SEQUENCE reports_id_seq OWNED BY reports.id;
ALTER TABLE reports ALTER COLUMN id SET DEFAULT nextval('reports_id_seq');

ALTER TABLE reports
  ADD CONSTRAINT reports_reporter_user_id_fkey FOREIGN KEY (reporter_user_id) REFERENCES users (id) ON DELETE SET NULL,
  ADD CONSTRAINT reports_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cells (id) ON DELETE SET NULL,
  ADD CONSTRAINT reports_escalated_to_fkey FOREIGN KEY (escalated_to) REFERENCES cells (id) ON DELETE SET NULL;

CREATE INDEX reports_tracking_code_idx ON reports (tracking_code);
CREATE INDEX reports_geom_gix ON reports USING gist (geom);
CREATE INDEX reports_cell_idx ON reports (cell_id);
CREATE INDEX reports_state_idx ON reports (state, due_at);
CREATE INDEX reports_escalate_idx ON reports (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX reports_created_idx ON reports (created_at);
CREATE INDEX reports_updated_idx ON reports (updated_at);

CREATE TRIGGER reports_heat AFTER INSERT OR UPDATE OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION report_heat_apply();

-- The key of a new report. An update that changes the month moves the row to another partition,
-- which PostgreSQL runs as a delete and an insert: the insert then finds the key of the same report
-- (its old row gone, or the same time) and only brings it up to date. A second report with an id
-- already taken is refused as a duplicate.
CREATE FUNCTION report_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  INSERT INTO report_keys AS k (id, created_at, tracking_code) VALUES (NEW.id, NEW.created_at, NEW.tracking_code)
  ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, tracking_code = EXCLUDED.tracking_code
  WHERE k.created_at = EXCLUDED.created_at
     OR NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = k.id AND r.created_at = k.created_at);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RAISE unique_violation USING MESSAGE = format('duplicate report id %s', NEW.id), CONSTRAINT = 'report_keys_pkey';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION report_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE report_keys SET tracking_code = NEW.tracking_code WHERE id = NEW.id AND tracking_code <> NEW.tracking_code;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_key AFTER INSERT ON reports FOR EACH ROW EXECUTE FUNCTION report_keys_insert();
CREATE TRIGGER reports_key_code AFTER UPDATE OF tracking_code ON reports FOR EACH ROW EXECUTE FUNCTION report_keys_update();

ANALYZE reports;
