import type { ViewProps } from '../views.ts';
import { DrawTools } from './DrawTools.tsx';
import { AssignmentsEditor } from '../people/AssignmentsEditor.tsx';
import { UnitsSection } from '../units/UnitsSection.tsx';
import { CoveragePanel } from '../coverage/CoveragePanel.tsx';
import { ExchangeSection } from '../exchange/ExchangeSection.tsx';
import { DividePanel } from './DividePanel.tsx';

/** The planner's view: draw and edit cells, assign the responsible people, prove coverage, measure workload and divide a cell evenly, import and export. */
export function PlanPanel(props: ViewProps) {
  return (
    <div className="view-panel">
      <DrawTools {...props} />
      <AssignmentsEditor cellId={props.selectedId} />
      <UnitsSection cellId={props.selectedId} />
      <CoveragePanel {...props} />
      <DividePanel {...props} />
      <ExchangeSection {...props} />
    </div>
  );
}
