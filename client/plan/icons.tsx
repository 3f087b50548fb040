/** Small line icons for the planner's toolbar (24×24, stroked with the text colour). */
const PATHS = {
  draw: 'M4 20l4-1 10-10-3-3L5 16l-1 4zM14 7l3 3M4 4h6M4 4v6',
  reshape: 'M5 5h4v4H5zM15 15h4v4h-4zM9 7l6 8M15 5h4v4h-4zM9 7h6',
  split: 'M6 3v18M14 4l6 16M3 12h4M10 12h10',
  merge: 'M4 6h7v12H4zM13 6h7v12h-7zM10 12h4',
  delete: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  history: 'M12 7v5l3 2M3.5 12a8.5 8.5 0 1 0 2.5-6M3 4v4h4',
  undo: 'M9 14L4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
  redo: 'M15 14l5-5-5-5M20 9H10a6 6 0 0 0 0 12h3',
  close: 'M6 6l12 12M18 6L6 18',
  save: 'M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="plan-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
