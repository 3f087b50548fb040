import { useSession } from '../session/session.tsx';
import type { ViewProps } from '../views.ts';
import { PatrolOverview } from './PatrolOverview.tsx';
import { WorkerPatrol } from './WorkerPatrol.tsx';
import './patrols.css';

/** Patrols in the work view: a grid worker patrols their cells; a commander (or admin) watches coverage. */
export function PatrolPanel(props: ViewProps) {
  const { user } = useSession();
  if (!user) return null;
  return user.role === 'worker' ? <WorkerPatrol {...props} /> : <PatrolOverview {...props} />;
}
