-- A report's history lists each step's photos (report_photos by event_id), and deleting an event
-- sets its photos' event_id to NULL: both read report_photos by event_id.
CREATE INDEX IF NOT EXISTS report_photos_event_idx ON report_photos (event_id) WHERE event_id IS NOT NULL;
