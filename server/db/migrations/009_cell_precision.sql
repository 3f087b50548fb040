-- Exports write 1e-7 degrees (about 1 cm). Whatever Wangge accepted and exported must import again:
-- lying inside the parent is checked on both shapes snapped to that grid (cell_outside below), and
-- imported cells are stored snapped (server/exchange/import/plan.ts). Drawn cells keep their
-- coordinates: snapping every write would turn sub-centimetre digitising noise into new faults.

-- True area in m². Geography cannot hold a ring spanning more than 180° of longitude (a world box
-- collapses to a line on the sphere), so such a shape is measured in 90° bands, each densified so
-- that its edges follow the parallels it is drawn with.
CREATE FUNCTION cell_area_m2(g geometry) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ST_XMax(g) - ST_XMin(g) <= 180 THEN ST_Area(g::geography)
    ELSE (SELECT sum(ST_Area(ST_Segmentize(ST_Intersection(g, ST_MakeEnvelope(b, -90, b + 90, 90, 4326)), 0.05)::geography))
          FROM generate_series(-180, 90, 90) AS b) END
$$;

-- The part of child outside parent: both snapped to the stored precision, overlaid on that grid
-- (robust where floating-point overlay fails), slivers thinner than about 20 cm left out (the
-- rounding of two independently drawn borders). When the overlay still fails, ST_CoveredBy with
-- the same tolerance decides; measured is false only when neither could answer.
CREATE FUNCTION cell_outside(child geometry, parent geometry, OUT outside_m2 float8, OUT at_lon float8, OUT at_lat float8, OUT measured boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c geometry := ST_ReducePrecision(child, 1e-7);
  p geometry := ST_ReducePrecision(parent, 1e-7);
  d geometry;
  core geometry;
  at geometry;
BEGIN
  BEGIN
    d := ST_Difference(c, p, 1e-7);
    IF d IS NOT NULL THEN
      core := CASE WHEN ST_IsEmpty(d) THEN d ELSE ST_Buffer(d, -1e-6) END;
      IF core IS NULL OR ST_IsEmpty(core) THEN
        outside_m2 := 0;
      ELSE
        outside_m2 := cell_area_m2(ST_Segmentize(ST_CollectionExtract(d, 3), 1e-3));
        at := ST_PointOnSurface(core);
        at_lon := ST_X(at);
        at_lat := ST_Y(at);
      END IF;
      measured := outside_m2 IS NOT NULL;
    END IF;
  EXCEPTION WHEN OTHERS THEN
    measured := NULL;
  END;
  IF measured IS NOT TRUE THEN
    BEGIN
      measured := ST_CoveredBy(c, ST_Buffer(p, 1e-6));
      outside_m2 := CASE WHEN measured THEN 0 END;
    EXCEPTION WHEN OTHERS THEN
      measured := false;
    END;
  END IF;
END $$;
