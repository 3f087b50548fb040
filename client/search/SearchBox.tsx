import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Marker } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';
import { formatHash } from '../router.ts';
import { useSession } from '../session/session.tsx';
import { keys } from '../data/keys.ts';
import { useDebounced } from '../data/debounce.ts';
import { searchApi, type Hit } from './api.ts';
import { useSearchMessages } from './messages.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Props {
  /** Select a cell and bring all of it into view (as a pick in the tree does). */
  onShowCell: (id: number) => void;
  /** Select a cell without moving the map (the map has already flown to the point). */
  onSelectCell: (id: number) => void;
}

type State = { status: 'idle' } | { status: 'busy' } | { status: 'done'; q: string; hits: Hit[] } | { status: 'error'; message: string };

/**
 * The header's search box, in every view and on the phone (where it opens from an icon): cells,
 * units, people, tracking codes and pasted coordinates; a pick flies the map there and opens the
 * cell's card. "Which grid am I in" asks the phone for its position.
 */
export function SearchBox({ onShowCell, onSelectCell }: Props) {
  const t = useSearchMessages();
  const map = useMap();
  const { user } = useSession();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  // "Which grid am I in": its progress or failure, shown instead of the search until the text changes.
  const [located, setLocated] = useState<State | null>(null);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  // Ask as the user types, a moment after they stop (the query is keyed by the settled text; a newer
  // one cancels the older). The session changes what a search may return (units and people are for staff).
  const text = q.trim();
  const settled = useDebounced(text, 200);
  const search = useQuery({
    queryKey: keys.search({ q: settled, user: user?.id ?? null }),
    queryFn: ({ signal }) => searchApi.search(settled, signal),
    enabled: settled !== '',
  });
  const searchState: State = !text || !settled ? { status: 'idle' }
    : search.isPending ? { status: 'busy' }
    : search.isError ? { status: 'error', message: message(search.error) }
    : { status: 'done', q: settled, hits: search.data.results };
  const state = located ?? searchState;
  // New hits put the active one back on the first.
  const [listed, setListed] = useState(search.data);
  if (listed !== search.data) {
    setListed(search.data);
    setActive(0);
  }

  // Where a unit, a person's cell, a coordinate or the phone is: a pin until the next pick.
  const pin = useRef<Marker | null>(null);
  useEffect(() => () => void pin.current?.remove(), []);
  const flyTo = (lon: number, lat: number) => {
    if (!map) return;
    pin.current?.remove();
    pin.current = new Marker({ color: '#dc2626' }).setLngLat([lon, lat]).addTo(map);
    pin.current.getElement().dataset.testid = 'search-pin';
    map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 16), essential: true });
  };

  const pick = (hit: Hit) => {
    setOpen(false);
    inputRef.current?.blur();
    if (hit.kind === 'cell' && hit.cellId !== null) {
      pin.current?.remove();
      onShowCell(hit.cellId);
      return;
    }
    if (hit.kind === 'track') {
      window.location.hash = formatHash('map', { track: String(hit.id) });
      return;
    }
    if (hit.kind === 'report') {
      window.location.hash = formatHash('reports', { report: String(hit.id) });
      return;
    }
    if (hit.lon !== null && hit.lat !== null) flyTo(hit.lon, hit.lat);
    if (hit.cellId !== null) onSelectCell(hit.cellId);
  };

  const whereAmI = () => {
    if (!('geolocation' in navigator)) {
      setLocated({ status: 'error', message: t('noLocation', { reason: '—' }) });
      return;
    }
    setLocated({ status: 'busy' });
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const { longitude: lon, latitude: lat } = pos.coords;
        flyTo(lon, lat);
        searchApi.cellAt(lon, lat)
          .then((cell) => {
            setLocated({ status: 'idle' });
            setOpen(false);
            onSelectCell(cell.id);
          })
          .catch((e: unknown) => setLocated({ status: 'error', message: message(e) }));
      },
      (e) => setLocated({ status: 'error', message: t('noLocation', { reason: e.message }) }),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  const hits = state.status === 'done' ? state.hits : [];
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, hits.length - 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (e.key === 'Enter' && hits[active]) pick(hits[active]);
    else if (e.key === 'Escape') {
      setOpen(false);
      inputRef.current?.blur();
    } else return;
    e.preventDefault();
  };

  const showList = open && state.status !== 'idle';
  return (
    <div className={`search${open ? ' open' : ''}`} data-testid="search">
      <button type="button" className="icon-button search-open" aria-label={t('open')} title={t('open')} onClick={() => {
        setOpen(true);
        setTimeout(() => inputRef.current?.focus(), 0);
      }}>
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.8" /><path d="M12.7 12.7 17 17" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
      </button>
      <div className="search-field">
        <input
          ref={inputRef}
          type="search"
          className="input search-input"
          value={q}
          placeholder={t('placeholder')}
          aria-label={t('label')}
          role="combobox"
          aria-expanded={showList}
          aria-controls="search-results"
          aria-autocomplete="list"
          onChange={(e) => {
            setQ(e.target.value);
            setLocated(null);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={onKey}
          data-testid="search-input"
        />
        <button type="button" className="icon-button search-locate" onClick={whereAmI} aria-label={t('whereAmI')} title={t('whereAmI')} data-testid="search-locate">
          <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><circle cx="10" cy="10" r="4" fill="none" stroke="currentColor" strokeWidth="1.8" /><path d="M10 1.5v3M10 15.5v3M1.5 10h3M15.5 10h3" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
        </button>
        <button type="button" className="icon-button search-close" aria-label={t('close')} onClick={() => setOpen(false)}>×</button>
      </div>
      {showList && (
        <ul id="search-results" className="search-results" role="listbox" data-testid="search-results">
          {state.status === 'busy' && <li className="muted">{t('searching')}</li>}
          {state.status === 'error' && <li className="form-error" role="alert">{state.message}</li>}
          {state.status === 'done' && hits.length === 0 && <li className="muted">{t('none', { q: state.q })}</li>}
          {hits.map((hit, i) => (
            <li key={`${hit.kind}-${hit.id}`} role="option" aria-selected={i === active} className={i === active ? 'active' : undefined}
              onMouseDown={(e) => e.preventDefault()} onClick={() => pick(hit)} data-testid={`search-hit-${hit.kind}`}>
              <span className={`search-kind kind-${hit.kind}`}>{t(`kind.${hit.kind}`)}</span>
              <span className="search-label">{hit.label}</span>
              <span className="search-detail muted">{hit.kind === 'point' && hit.cellId === null ? t('pointOutside') : hit.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
