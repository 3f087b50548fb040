import type { ViewProps } from '../views.ts';
import { CellCard } from './CellCard.tsx';
import { ReportLauncher } from '../reports/ReportLauncher.tsx';

/** What the public map adds under the cell details: who answers for the cell, and reporting a hazard. */
export function PublicExtras(props: ViewProps) {
  return (
    <>
      <CellCard {...props} />
      <ReportLauncher {...props} />
    </>
  );
}
