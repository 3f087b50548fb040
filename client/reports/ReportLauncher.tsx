import type { ViewProps } from '../views.ts';
/** Placeholder until this part is built: its owner replaces this file. */
export function ReportLauncher(_props: ViewProps) {
  return null;
}
