import { useCallback, useSyncExternalStore } from 'react';

/** The screens of Wangge; each is a tab in the header for the roles that use it. */
export type View = 'map' | 'plan' | 'command' | 'reports' | 'units' | 'admin';
export const VIEWS: View[] = ['map', 'plan', 'command', 'reports', 'units', 'admin'];

export interface Route {
  view: View;
  /** The view's state (filters, selection) kept in the URL so a view can be shared and reloaded. */
  params: URLSearchParams;
}

/** `#/command?category=fire&window=7d` → {view: 'command', params}. Unknown views fall back to the map. */
export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const view = (VIEWS as string[]).includes(path) ? (path as View) : 'map';
  return { view, params: new URLSearchParams(query) };
}

export function formatHash(view: View, params?: URLSearchParams | Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `#/${view}${query ? `?${query}` : ''}`;
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};
const snapshot = () => window.location.hash;

export function useRoute() {
  const hash = useSyncExternalStore(subscribe, snapshot);
  const route = parseHash(hash);
  const navigate = useCallback((view: View, params?: URLSearchParams | Record<string, string>) => {
    window.location.hash = formatHash(view, params);
  }, []);
  /** Replaces the current view's params without a new history entry (filters typed or dragged). */
  const setParams = useCallback((params: URLSearchParams | Record<string, string>) => {
    const { view } = parseHash(window.location.hash);
    window.history.replaceState(null, '', formatHash(view, params));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }, []);
  return { ...route, navigate, setParams };
}
