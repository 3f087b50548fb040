import type { ClientConfig } from './api.ts';

/** What every view's side panel is given by the shell. */
export interface ViewProps {
  config: ClientConfig;
  /** The selected cell (shared by all views: select in one, see it in another). */
  selectedId: number | null;
  onSelect: (id: number | null) => void;
}
