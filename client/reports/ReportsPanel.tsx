import type { ViewProps } from '../views.ts';
import { ReportInbox } from './ReportInbox.tsx';
import { PatrolPanel } from '../patrols/PatrolPanel.tsx';

/** The grid worker's and commander's work list: reports to act on, and patrols of their cells. */
export function ReportsPanel(props: ViewProps) {
  return (
    <div className="view-panel">
      <ReportInbox {...props} />
      <PatrolPanel {...props} />
    </div>
  );
}
