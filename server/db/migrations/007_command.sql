-- The command view (指挥中心). The monthly report (月报) looks for the reports that went overdue or
-- were closed in a month through their events; the live feed's first load takes the latest changes.
CREATE INDEX report_events_action_at_idx ON report_events (action, at);
CREATE INDEX reports_updated_idx ON reports (updated_at);
