import type { ViewProps } from '../views.ts';

/** Placeholder until this view is built: its owner replaces this file. */
export function AdminPanel(_props: ViewProps) {
  return null;
}
