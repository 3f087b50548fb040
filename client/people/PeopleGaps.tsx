import { useMemo, useState } from 'react';
import type { FilterSpecification } from 'maplibre-gl';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useOverlay, type Overlay } from '../map/overlay.ts';
import { CELLS_SOURCE, CELLS_SOURCE_LAYER } from '../map/style.ts';
import { usePeopleMessages } from './messages.ts';

import type { PeopleGap } from '../../core/contracts/people.ts';

type State = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; gaps: PeopleGap[] };

/** Shades the given cells on the map while mounted. */
function useGapShading(ids: number[] | null) {
  const map = useMap();
  const overlay = useMemo((): Overlay | null => {
    if (!ids?.length) return null;
    const filter = ['in', ['id'], ['literal', ids]] as FilterSpecification;
    return {
      layers: [
        { id: 'people-gaps-fill', type: 'fill', source: CELLS_SOURCE, 'source-layer': CELLS_SOURCE_LAYER, filter, paint: { 'fill-color': '#f59e0b', 'fill-opacity': 0.35 } },
        { id: 'people-gaps-line', type: 'line', source: CELLS_SOURCE, 'source-layer': CELLS_SOURCE_LAYER, filter, paint: { 'line-color': '#b45309', 'line-width': 2, 'line-dasharray': [2, 1] } },
      ],
    };
  }, [ids]);
  useOverlay(map?.getSource(CELLS_SOURCE) ? map : null, overlay);
}

/** The cells directly below the selected one that lack a required role or are short of a minimum. */
export function PeopleGaps({ cellId }: { cellId: number }) {
  const t = usePeopleMessages();
  const { lang } = useI18n();
  const [shade, setShade] = useState(false);
  // Read again after assignments change (queries.ts: invalidateAssignments).
  const query = useQuery({
    queryKey: keys.people.gaps({ parentId: cellId }),
    queryFn: ({ signal }) => api<PeopleGap[]>(`/api/people-gaps?parentId=${cellId}`, { signal }),
  });
  const state: State = query.isError
    ? { status: 'error', message: query.error.message }
    : query.isPending ? { status: 'loading' } : { status: 'ready', gaps: query.data };

  const gaps = state.status === 'ready' ? state.gaps : null;
  const shaded = useMemo(() => (shade && gaps ? gaps.map((g) => g.cellId) : null), [shade, gaps]);
  useGapShading(shaded);

  // A cell of the finest level has nothing below it: say nothing.
  const { status } = state;
  if (status === 'ready' && state.gaps.length === 0) return null;

  return (
    <div className="people-gaps" data-testid="people-gaps">
      <h4 className="people-subtitle">{t('gapsTitle')}</h4>
      {status === 'loading' && <p className="muted">{t('gapsLoading')}</p>}
      {status === 'error' && <p className="form-error" role="alert">{t('loadError', { message: state.message })}</p>}
      {status === 'ready' && (
        <>
          <div className="section-head">
            <span className="muted">{t('gapsCount', { n: state.gaps.length })}</span>
            <label className="people-check"><input type="checkbox" checked={shade} onChange={(e) => setShade(e.target.checked)} />{t('gapsShade')}</label>
          </div>
          <ul className="people-gap-list">
            {state.gaps.map((g) => (
              <li key={g.cellId}>
                <span className="people-gap-name">{g.name}</span> <span className="mono muted">{g.code}</span>
                <span className="people-gap-missing">
                  {g.missing.map((m) => <span key={m.role} className="badge warn">{lang === 'zh-CN' ? m.zh : m.en} {m.have}/{m.needed}</span>)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
