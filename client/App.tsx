import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bounds, Cell } from './api.ts';
import { lineageQuery, useClientConfig } from './data/cells.ts';
import { useI18n } from './i18n/index.tsx';
import { Header } from './Header.tsx';
import { SearchBox } from './search/SearchBox.tsx';
import { Legend } from './Legend.tsx';
import { MapView } from './map/MapView.tsx';
import { CellTree } from './panel/CellTree.tsx';
import { CellDetails, type LineageState } from './panel/CellDetails.tsx';
import { useRoute, type View } from './router.ts';
import { useSession } from './session/session.tsx';
// Staff views load on demand, so the public map does not download drawing tools, the command view or admin.
const PlanPanel = lazy(() => import('./plan/PlanPanel.tsx').then((m) => ({ default: m.PlanPanel })));
const CommandPanel = lazy(() => import('./command/CommandPanel.tsx').then((m) => ({ default: m.CommandPanel })));
const ReportsPanel = lazy(() => import('./reports/ReportsPanel.tsx').then((m) => ({ default: m.ReportsPanel })));
const AdminPanel = lazy(() => import('./admin/AdminPanel.tsx').then((m) => ({ default: m.AdminPanel })));
const UnitsPanel = lazy(() => import('./units/UnitsPanel.tsx').then((m) => ({ default: m.UnitsPanel })));
import { PublicExtras } from './cards/PublicExtras.tsx';
import { CellSheet } from './cards/CellSheet.tsx';
import { PHONE_QUERY, usePhone } from './phone.ts';

/** Where a selection came from: one made in the list brings the cell into view on the map. */
interface Selection {
  id: number;
  from: 'map' | 'list';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function cellBounds(cell: Cell): Bounds {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of cell.geometry.coordinates) {
    for (const [lon, lat] of polygon[0] ?? []) {
      b[0] = Math.min(b[0], lon!);
      b[1] = Math.min(b[1], lat!);
      b[2] = Math.max(b[2], lon!);
      b[3] = Math.max(b[3], lat!);
    }
  }
  return b;
}

export function App() {
  const { t } = useI18n();
  const session = useSession();
  const route = useRoute();
  // Which views this user may open; the public map is everyone's.
  const views = useMemo<View[]>(() => {
    const allowed: View[] = ['map'];
    if (session.may('cells.edit')) allowed.push('plan');
    if (session.is('commander')) allowed.push('command');
    if (session.may('reports.view')) allowed.push('reports');
    if (session.is('planner', 'worker', 'commander')) allowed.push('units');
    if (session.is()) allowed.push('admin');
    return allowed;
  }, [session]);
  const view: View = views.includes(route.view) ? route.view : 'map';
  const configQuery = useClientConfig();
  const [selection, setSelection] = useState<Selection | null>(null);
  const queryClient = useQueryClient();
  const lineageResult = useQuery({ ...lineageQuery(queryClient, selection?.id ?? 0), enabled: selection !== null });
  const [panelOpen, setPanelOpen] = useState(() => !window.matchMedia(PHONE_QUERY).matches);
  const phone = usePhone();

  useEffect(() => {
    document.title = `网格 Wangge · ${t('app.subtitle')}`;
  }, [t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setSelection(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const selectOnMap = useCallback((id: number | null) => setSelection(id === null ? null : { id, from: 'map' }), []);
  const selectInList = useCallback((id: number) => setSelection({ id, from: 'list' }), []);
  const clear = useCallback(() => setSelection(null), []);

  // #/map?cell=44 (a link from the audit log, the notice board's QR code) opens the cell's card and brings it into view.
  const linkedCell = view === 'map' ? Number(route.params.get('cell')) || null : null;
  useEffect(() => {
    if (linkedCell !== null) selectInList(linkedCell);
  }, [linkedCell, selectInList]);

  const lineageState = useMemo<LineageState>(() => {
    if (!selection) return { status: 'idle' };
    if (lineageResult.isPending) return { status: 'loading' };
    if (lineageResult.isError) return { status: 'error', message: message(lineageResult.error) };
    return { status: 'ready', lineage: lineageResult.data };
  }, [selection, lineageResult.isPending, lineageResult.isError, lineageResult.error, lineageResult.data]);
  const lineage = useMemo(() => (lineageState.status === 'ready' ? lineageState.lineage : []), [lineageState]);
  const configState = configQuery.isPending
    ? { status: 'loading' as const }
    : configQuery.isError ? { status: 'error' as const, message: message(configQuery.error) } : { status: 'ready' as const, config: configQuery.data };
  const focus = useMemo(() => {
    const cell = lineage[lineage.length - 1];
    return cell && selection?.from === 'list' ? cellBounds(cell) : null;
  }, [lineage, selection]);

  return (
    <div className={`app${panelOpen ? ' panel-open' : ''}`}>
      <Header
        panelOpen={panelOpen} onTogglePanel={() => setPanelOpen((open) => !open)} views={views} view={view}
        search={<SearchBox onShowCell={selectInList} onSelectCell={selectOnMap} />}
      />
      {configState.status === 'error' && <div className="fatal" role="alert">{t('error.config', { message: configState.message })}</div>}
      {configState.status === 'ready' && (
        <div className="body">
          <aside id="side-panel" className="panel" hidden={!panelOpen} data-view={view}>
            {view === 'map' && (
              <>
                <CellDetails levels={configState.config.levels} state={lineageState} onClear={clear} onSelect={selectInList} />
                <PublicExtras config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />
                <CellTree levels={configState.config.levels} lineage={lineage} selectedId={selection?.id ?? null} onSelect={selectInList} />
                <Legend levels={configState.config.levels} />
              </>
            )}
            <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
            {view === 'plan' && <PlanPanel config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />}
            {view === 'command' && <CommandPanel config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />}
            {view === 'reports' && <ReportsPanel config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />}
            {view === 'units' && <UnitsPanel config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />}
            {view === 'admin' && <AdminPanel config={configState.config} selectedId={selection?.id ?? null} onSelect={selectOnMap} />}
            </Suspense>
          </aside>
          <MapView config={configState.config} selectedId={selection?.id ?? null} focus={focus} onSelect={selectOnMap} />
        </div>
      )}
      {/* A phone's bottom sheets (the cell card, the report form) sit under the map, not over it. */}
      <div id="sheet-host" className="sheet-host">
        {configState.status === 'ready' && phone && view === 'map' && !panelOpen && selection && (
          <CellSheet config={configState.config} selectedId={selection.id} onSelect={selectOnMap} onClose={clear} />
        )}
      </div>
    </div>
  );
}
