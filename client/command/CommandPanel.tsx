import type { ViewProps } from '../views.ts';

/** Placeholder until this view is built: its owner replaces this file. */
export function CommandPanel(_props: ViewProps) {
  return null;
}
