import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { MapMouseEvent } from 'maplibre-gl';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap, useMapClick } from '../map/context.tsx';
import { useSession } from '../session/session.tsx';
import { typeColor } from './layer.ts';
import { isArchived, unitsApi, type Entry, type Unit, type UnitPage as Page, type UnitType } from './api.ts';
import { useUnitMarker } from './marker.ts';
import { useUnitMessages } from './messages.ts';
import { UnitForm } from './UnitForm.tsx';
import { useUnitPage } from './queries.ts';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const STATES = ['reported', 'verified', 'rejected', 'dispatched', 'rectifying', 'rectified', 'closed'] as const;

function When({ at, date, dateOnly }: { at: string; date: string; dateOnly: boolean }) {
  const { lang } = useI18n();
  // Records carry a date only; check-ins and report steps a time, shown in local time.
  const hasTime = !dateOnly;
  const text = hasTime ? new Date(at).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' }) : new Date(`${date}T12:00:00`).toLocaleDateString(lang, { dateStyle: 'medium' });
  return <time className="unit-time" dateTime={at}>{text}</time>;
}

function EntryItem({ e, page }: { e: Entry; page: Page }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const category = e.category ? page.categories[e.category] : null;
  const result = e.kind === 'visit' ? (e.result === 'ok' ? t('result.ok') : t('result.failed', { items: e.failedItems.join(', ') }))
    : e.kind === 'rectification' ? t(e.result === 'closed' ? 'result.closed' : 'result.rectified') : null;
  return (
    <li className={`unit-entry kind-${e.kind}`} data-kind={e.kind}>
      <div className="unit-entry-head">
        <span className="unit-entry-kind">{t(`kind.${e.kind}`)}</span>
        {category && <span className="badge">{lang === 'zh-CN' ? category.zh : category.en}</span>}
        {e.severity === 'major' && <span className="badge bad">{t('severity.major')}</span>}
        {e.kind === 'hazard' && e.result && <span className={`badge ${e.result === 'closed' || e.result === 'rectified' ? 'good' : 'warn'}`} data-testid="hazard-state">{(STATES as readonly string[]).includes(e.result) ? t(`state.${e.result as (typeof STATES)[number]}`) : e.result}</span>}
        {result && <span className={`badge ${e.result === 'failed' ? 'bad' : 'good'}`}>{result}</span>}
      </div>
      <div className="unit-entry-meta"><When at={e.at} date={e.date} dateOnly={e.kind === 'inspection' || e.kind === 'note'} />{e.by && <span> · {e.by}</span>}{e.trackingCode && <span className="mono"> · {e.trackingCode}</span>}</div>
      {e.text && <p className="unit-entry-text">{e.text}</p>}
      {e.photos.length > 0 && (
        <div className="unit-photos">
          {e.photos.map((p) => <a key={p.id} href={p.url} target="_blank" rel="noreferrer"><img src={p.thumbUrl} alt="" loading="lazy" /></a>)}
        </div>
      )}
    </li>
  );
}

function AddRecord({ unitId, onAdded }: { unitId: number; onAdded: () => void }) {
  const t = useUnitMessages();
  const [kind, setKind] = useState<'inspection' | 'note'>('inspection');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unitsApi.addRecord(unitId, { kind, text: text.trim() });
      setText('');
      onAdded();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="form unit-add-record" onSubmit={(e) => void submit(e)} data-testid="unit-add-record">
      <div className="inline-form">
        <select className="input unit-record-kind" aria-label={t('recordKind')} value={kind} onChange={(e) => setKind(e.target.value as 'inspection' | 'note')}>
          <option value="inspection">{t('kind.inspection')}</option>
          <option value="note">{t('kind.note')}</option>
        </select>
        <input className="input" name="text" aria-label={t('recordText')} placeholder={t('addRecord')} value={text} onChange={(e) => setText(e.target.value)} maxLength={10_000} required />
        <button type="submit" className="button" disabled={busy || !text.trim()}>{t('add2')}</button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </form>
  );
}

/** A unit's page (一户一档): its details, who answers for it, and its file over time; edit, move and archive. */
export function UnitPage({ id, types, onBack, onChanged }: { id: number; types: UnitType[]; onBack: () => void; onChanged: () => void }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const session = useSession();
  const map = useMap();
  const mayEdit = session.may('units.edit');
  const queryClient = useQueryClient();
  const pageQuery = useUnitPage(id);
  const page: Page | null = pageQuery.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? (pageQuery.error ? pageQuery.error.message : null);
  const [mode, setMode] = useState<'view' | 'edit' | 'move'>('view');
  const [moveTo, setMoveTo] = useState<[number, number] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The page is read again after a change (the panel mounts this page per unit: a new one starts in view mode).
  const load = useCallback(() => void queryClient.invalidateQueries({ queryKey: keys.units.one(id) }), [queryClient, id]);

  const unit = page?.unit ?? null;
  const here = unit ? (unit.geometry.coordinates as [number, number]) : null;
  const place = (p: [number, number]) => setMoveTo([round6(p[0]), round6(p[1])]);
  useMapClick(mode === 'move' ? (e: MapMouseEvent) => place([e.lngLat.lng, e.lngLat.lat]) : null);
  useUnitMarker(mode === 'move' ? moveTo ?? here : here, mode === 'move' ? place : null);

  // Bring the unit into view when its page opens.
  useEffect(() => {
    if (map && here) map.easeTo({ center: here, zoom: Math.max(map.getZoom(), 16) });
    // Only when another unit opens, not after each reload of the same one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, unit?.id]);

  async function act(run: () => Promise<Unit>, after?: (u: Unit) => void) {
    setBusy(true);
    setError(null);
    try {
      const u = await run();
      after?.(u);
      setMode('view');
      setMoveTo(null);
      load();
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  if (error && !page) return <section className="panel-section"><button type="button" className="link-button" onClick={onBack}>← {t('back')}</button><p className="form-error" role="alert">{error}</p></section>;
  if (!page || !unit) return <section className="panel-section"><p className="muted small">{t('loading')}</p></section>;
  if (mode === 'edit') return <UnitForm types={types} unit={unit} onCancel={() => setMode('view')} onDone={() => { setMode('view'); setNotice(null); load(); onChanged(); }} />;

  const p = unit.properties;
  const archived = isArchived(unit);
  const codes = types.map((x) => x.code);
  const c = page.counts;
  return (
    <div className="unit-page" data-testid="unit-page">
      <section className="panel-section">
        <button type="button" className="link-button" onClick={onBack} data-testid="unit-back">← {t('back')}</button>
        <h2 className="unit-title"><span className="unit-dot" style={{ background: typeColor(codes, p.type) }} />{p.name}</h2>
        <div className="unit-badges">
          <span className="badge">{lang === 'zh-CN' ? p.typeName.zh : p.typeName.en}</span>
          {archived && <span className="badge warn" data-testid="unit-archived">{t('archived')}</span>}
        </div>
        <dl className="unit-facts">
          <dt>{t('address')}</dt><dd>{p.address ?? '—'}</dd>
          <dt>{t('contact')}</dt><dd>{p.contact ?? '—'}</dd>
          {p.attributes.households !== undefined && <><dt>{t('households')}</dt><dd>{String(p.attributes.households)}</dd></>}
          <dt>{t('cell')}</dt><dd className="mono" data-testid="unit-cell">{p.cellCode ?? t('noCell')}</dd>
          <dt>{t('coords')}</dt><dd className="mono">{here![0].toFixed(6)}, {here![1].toFixed(6)}</dd>
        </dl>
        {archived && <p className="small muted">{t('archivedOn', { date: new Date(String(p.archivedAt)).toLocaleDateString(lang), by: p.archivedBy ?? '' })}</p>}
        {notice && <p className="form-ok" role="status" data-testid="unit-notice">{notice}</p>}
        {error && <p className="form-error" role="alert">{error}</p>}
        {mode === 'move' ? (
          <div className="unit-move" data-testid="unit-move">
            <p className="small">{t('moveHint')}</p>
            <div className="form-actions">
              <button type="button" className="button" onClick={() => { setMode('view'); setMoveTo(null); }}>{t('cancel')}</button>
              <button type="button" className="button primary" disabled={busy || !moveTo} data-testid="unit-save-position"
                onClick={() => void act(() => unitsApi.move(unit, moveTo!), (u) => setNotice(u.properties.cellId !== p.cellId ? t('refiled', { cell: u.properties.cellCode ?? t('noCell') }) : null))}>
                {t('savePosition')}
              </button>
            </div>
          </div>
        ) : mayEdit && (
          <div className="unit-actions">
            {!archived && <button type="button" className="button small" onClick={() => setMode('edit')} data-testid="unit-edit">{t('edit')}</button>}
            {!archived && <button type="button" className="button small" onClick={() => { setNotice(null); setMode('move'); }} data-testid="unit-move-start">{t('move')}</button>}
            {archived
              ? <button type="button" className="button small" disabled={busy} onClick={() => void act(() => unitsApi.restore(unit))} data-testid="unit-restore">{t('restore')}</button>
              : <button type="button" className="button small danger" disabled={busy} data-testid="unit-archive"
                onClick={() => { if (window.confirm(t('archiveConfirm', { name: p.name }))) void act(() => unitsApi.archive(unit)); }}>{t('archive')}</button>}
          </div>
        )}
      </section>
      <section className="panel-section">
        <h3>{t('contacts')}</h3>
        {page.contacts.length === 0 ? <p className="muted small">{t('noContacts')}</p> : (
          <ul className="unit-contacts" data-testid="unit-contacts">
            {page.contacts.map((x, i) => (
              <li key={i}>
                <span className="unit-contact-role">{lang === 'zh-CN' ? x.roleName.zh : x.roleName.en}</span>
                <span>{x.name}</span>
                {x.phone && <a href={`tel:${x.phone}`} className="mono">{x.phone}</a>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel-section">
        <h3>{t('records')}</h3>
        <ul className="unit-counts unit-summary" data-testid="unit-summary">
          <li>{t('inspections', { n: c.inspections })}</li>
          <li>{t('hazards', { n: c.hazards })}</li>
          {c.openHazards > 0 && <li className="bad">{t('openHazards', { n: c.openHazards })}</li>}
          <li>{t('rectified', { n: c.rectified })}</li>
          {c.photos > 0 && <li>{t('photos', { n: c.photos })}</li>}
        </ul>
        {mayEdit && !archived && <AddRecord unitId={unit.id} onAdded={() => load()} />}
        {page.entries.length === 0 ? <p className="muted small">{t('noRecords')}</p> : (
          <ol className="unit-timeline" data-testid="unit-timeline">
            {page.entries.map((e, i) => <EntryItem key={`${e.kind}-${e.at}-${i}`} e={e} page={page} />)}
          </ol>
        )}
      </section>
    </div>
  );
}
