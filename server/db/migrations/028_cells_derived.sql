-- City scale (issue 21): a cell's true area and the point its name goes at were computed for every
-- cell of every tile and every /api/cells answer. They change only when the outline does, so the
-- database keeps them with the row (generated columns: no writer can forget them).
ALTER TABLE cells ADD COLUMN area_m2 float8 GENERATED ALWAYS AS (cell_area_m2(geom)) STORED;
-- A point inside the cell (ST_PointOnSurface), in lon/lat.
ALTER TABLE cells ADD COLUMN label_point geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED;
