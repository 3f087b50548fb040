-- 五定 per cell: a cell's duties (定职责) and tasks (定任务) are its level's template until a planner
-- changes them; a row keeps only the overrides (NULL = the template's list), so "restore template"
-- is setting a list back to NULL and a changed template reaches every cell that did not override it.
CREATE TABLE cell_duties (
  cell_id    integer PRIMARY KEY REFERENCES cells (id) ON DELETE CASCADE,
  duties     jsonb CHECK (duties IS NULL OR jsonb_typeof(duties) = 'array'),
  tasks      jsonb CHECK (tasks IS NULL OR jsonb_typeof(tasks) = 'array'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
