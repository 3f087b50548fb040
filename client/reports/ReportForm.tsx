import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Marker, type MapMouseEvent, type Map as MaplibreMap } from 'maplibre-gl';
import { useI18n } from '../i18n/index.tsx';
import { useMap, useMapClick } from '../map/context.tsx';
import { useSession } from '../session/session.tsx';
import { keyFor, type Filed, type NewReport, type ReportsConfig, type Severity, type Source } from './api.ts';
import { nameOf, sizeText } from './format.ts';
import { useReportMessages } from './messages.ts';
import { TrackBox } from './TrackBox.tsx';
import { sendOrQueue } from '../offline/outbox.ts';
import { compressPhoto } from '../offline/photo.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const STAFF_SOURCES: Source[] = ['patrol', 'hotline', 'inspection'];

/** The point being reported, shown as a draggable marker on the map while the form is open. */
function useReportMarker(point: [number, number] | null, onMove: (p: [number, number]) => void) {
  const map = useMap();
  const marker = useRef<Marker | null>(null);
  const moved = useRef(onMove);
  moved.current = onMove;
  useEffect(() => {
    if (!map || !point) return;
    if (!marker.current) {
      const el = document.createElement('div');
      el.className = 'report-marker';
      el.dataset.testid = 'report-marker';
      marker.current = new Marker({ element: el, draggable: true, anchor: 'bottom' }).setLngLat(point).addTo(map);
      marker.current.on('dragend', () => {
        const ll = marker.current!.getLngLat();
        moved.current([ll.lng, ll.lat]);
      });
    } else {
      marker.current.setLngLat(point);
    }
  }, [map, point]);
  useEffect(() => () => {
    marker.current?.remove();
    marker.current = null;
  }, [map]);
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Flies to a point so it lands in the middle of the part of the map the sheet leaves visible
 * (above the bottom sheet on a phone, left of the card on a wide screen).
 */
function flyToVisible(map: MaplibreMap, p: [number, number], sheet: HTMLElement | null) {
  const c = map.getCanvas().getBoundingClientRect();
  const s = sheet?.getBoundingClientRect();
  let offset: [number, number] = [0, 0];
  if (s && s.top > c.top + 80 && s.top < c.bottom) offset = [0, (s.top - c.bottom) / 2];
  else if (s && s.left > c.left + 80 && s.left < c.right) offset = [(s.left - c.right) / 2, 0];
  map.flyTo({ center: p, zoom: Math.max(map.getZoom(), 16), offset });
}

/**
 * The hazard report form: the place (a click on the map, or the device's position), category,
 * severity, description, photos and contact. Each distinct submission carries its own
 * Idempotency-Key, and a retry of the same one reuses it, so a lost answer never files twice.
 */
export function ReportForm({ cfg, onClose, onFiled, start }: {
  cfg: ReportsConfig; onClose: () => void; onFiled: (f: Filed) => void;
  /** Started from a cell's card link: the place begins inside that cell (the reporter may move it). */
  start?: { point: [number, number]; cellName: string };
}) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const session = useSession();
  const map = useMap();
  const staff = session.may('reports.work');
  const [point, setPoint] = useState<[number, number] | null>(start?.point ?? null);
  const [category, setCategory] = useState(cfg.categories[0]?.code ?? '');
  const [severity, setSeverity] = useState<Severity>('ordinary');
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [name, setName] = useState('');
  const [contact, setContact] = useState('');
  const [confidential, setConfidential] = useState(false);
  const [source, setSource] = useState<Source>('patrol');
  const [busy, setBusy] = useState(false);
  const [locating, setLocating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [photoNote, setPhotoNote] = useState<string | null>(null);
  const [filed, setFiled] = useState<Filed | null>(null);
  const [follow, setFollow] = useState(false);
  const lastKey = useRef<{ key: string; signature: string } | null>(null);
  // The phone's time of the report, fixed with its key: a replay must send exactly what was sent.
  const observed = useRef<{ key: string; at: string } | null>(null);
  const [queued, setQueued] = useState(false);
  const sheet = useRef<HTMLElement>(null);

  const place = (p: [number, number]) => {
    setPoint([round6(p[0]), round6(p[1])]);
    setError(null);
  };
  useMapClick(filed ? null : (e: MapMouseEvent) => place([e.lngLat.lng, e.lngLat.lat]));
  useReportMarker(filed ? null : point, place);

  const previews = useMemo(() => photos.map((f) => ({ file: f, url: URL.createObjectURL(f) })), [photos]);
  useEffect(() => () => previews.forEach((p) => URL.revokeObjectURL(p.url)), [previews]);

  function locate() {
    setError(null);
    if (!('geolocation' in navigator)) {
      setError(t('form.geoUnsupported'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        const p: [number, number] = [pos.coords.longitude, pos.coords.latitude];
        place(p);
        if (map) flyToVisible(map, p, sheet.current);
      },
      (err) => {
        setLocating(false);
        setError(t('form.noGeo', { message: err.message }));
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  }

  function addPhotos(list: FileList | null) {
    setPhotoNote(null);
    const next = [...photos];
    for (const f of list ? [...list] : []) {
      if (!cfg.photos.types.includes(f.type)) setPhotoNote(t('form.photoType', { name: f.name }));
      else if (f.size > cfg.photos.maxBytes) setPhotoNote(t('form.photoTooBig', { name: f.name, size: sizeText(cfg.photos.maxBytes) }));
      else if (next.length >= cfg.photos.maxCount) setPhotoNote(t('form.photoTooMany', { n: cfg.photos.maxCount }));
      else next.push(f);
    }
    setPhotos(next);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!point) return setError(t('form.needPoint'));
    if (!description.trim()) return setError(t('form.needDescription'));
    const report: NewReport = {
      location: { type: 'Point', coordinates: point }, category, severity, description: description.trim(),
      ...(staff ? { source } : {}),
      ...(name.trim() || contact.trim() ? { reporter: { ...(name.trim() ? { name: name.trim() } : {}), ...(contact.trim() ? { contact: contact.trim() } : {}) } } : {}),
      ...(confidential ? { confidential } : {}),
    };
    const signature = JSON.stringify([report, photos.map((f) => [f.name, f.size, f.lastModified])]);
    lastKey.current = keyFor(lastKey.current, signature);
    const { key } = lastKey.current;
    if (observed.current?.key !== key) observed.current = { key, at: new Date().toISOString() };
    const at = observed.current.at;
    setBusy(true);
    try {
      const small = await Promise.all(photos.map(compressPhoto));
      const result = await sendOrQueue<Filed>({
        kind: 'report', key, at, method: 'POST', url: '/api/reports', body: { ...report, observedAt: at } as unknown as Record<string, unknown>,
        formField: 'report', photos: small, label: report.description.slice(0, 40),
      });
      if (!result) {
        setQueued(true);
        return;
      }
      setFiled(result);
      onFiled(result);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  function again() {
    setFiled(null);
    setFollow(false);
    setPoint(null);
    setDescription('');
    setPhotos([]);
    setQueued(false);
    lastKey.current = null;
  }

  return (
    <section ref={sheet} className={`report-sheet${start ? ' from-cell' : ''}`} data-testid="report-form" aria-labelledby="report-form-title">
      <div className="report-sheet-head">
        <h3 id="report-form-title">{t('form.title')}</h3>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('form.close')} data-testid="report-form-close">✕</button>
      </div>
      {queued ? (
        <div className="report-done" role="status" data-testid="report-queued">
          <p className="form-warn">{t('form.queued')}</p>
          <div className="form-actions">
            <button type="button" className="button primary" onClick={again}>{t('form.another')}</button>
          </div>
        </div>
      ) : filed ? (
        <div className="report-done" role="status" data-testid="report-filed">
          <p className="form-ok">{t('form.done')} <code className="mono report-code" data-testid="report-code">{filed.trackingCode}</code></p>
          <p data-testid="report-routed">{filed.cellId !== null ? t('form.routed', { cell: filed.cellName ?? String(filed.cellId) }) : t('form.unassigned')}</p>
          <p className="muted">{t('form.keepCode')}</p>
          <p data-testid="report-claim">{t('form.claimCode')}<code className="mono report-code" data-testid="report-claim-code">{filed.claimCode}</code></p>
          <p className="muted">{t('form.keepClaimCode')}</p>
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setFollow(true)}>{t('form.follow')}</button>
            <button type="button" className="button primary" onClick={again}>{t('form.another')}</button>
          </div>
          {follow && <TrackBox code={filed.trackingCode} categories={cfg.categories} testId="report-follow" />}
        </div>
      ) : (
        <form className="form report-form" onSubmit={submit} noValidate>
          <fieldset className="report-where">
            <legend>{t('form.where')}</legend>
            {start && <p className="report-start-cell" data-testid="report-start-cell">{t('form.inCell', { cell: start.cellName })}</p>}
            <p className={point ? 'report-point' : 'muted'} data-testid="report-point">
              {point ? t('form.picked', { lon: point[0].toFixed(5), lat: point[1].toFixed(5) }) : t('form.pickHint')}
            </p>
            <button type="button" className="button small" onClick={locate} disabled={locating} data-testid="report-locate">
              {locating ? t('form.locating') : t('form.useLocation')}
            </button>
          </fieldset>
          <div className="report-row">
            <label>
              {t('form.category')}
              <select name="category" value={category} onChange={(e) => setCategory(e.target.value)}>
                {cfg.categories.map((c) => <option key={c.code} value={c.code}>{nameOf(cfg.categories, c.code, lang)}</option>)}
              </select>
            </label>
            <label>
              {t('form.severity')}
              <select name="severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
                {cfg.severities.map((s) => <option key={s.code} value={s.code}>{lang === 'en' ? s.en : s.zh}</option>)}
              </select>
            </label>
          </div>
          {staff && (
            <label>
              {t('form.source')}
              <select name="source" value={source} onChange={(e) => setSource(e.target.value as Source)}>
                {STAFF_SOURCES.map((s) => <option key={s} value={s}>{t(`source.${s}`)}</option>)}
              </select>
            </label>
          )}
          <label>
            {t('form.description')}
            <textarea name="description" rows={3} maxLength={4000} placeholder={t('form.descriptionHint')} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <label>
            {t('form.photos', { n: cfg.photos.maxCount, size: sizeText(cfg.photos.maxBytes) })}
            <input
              type="file" name="photos" accept={cfg.photos.types.join(',')} multiple
              onChange={(e) => {
                addPhotos(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
          {photoNote && <p className="form-error" role="alert">{photoNote}</p>}
          {previews.length > 0 && (
            <ul className="report-thumbs" data-testid="report-photos">
              {previews.map((p, i) => (
                <li key={p.url}>
                  <img src={p.url} alt={p.file.name} />
                  <button type="button" className="report-thumb-remove" aria-label={t('form.removePhoto', { name: p.file.name })} onClick={() => setPhotos(photos.filter((_, j) => j !== i))}>✕</button>
                </li>
              ))}
            </ul>
          )}
          <div className="report-row">
            <label>
              {t('form.name')}
              <input name="reporterName" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
            </label>
            <label>
              {t('form.contact')}
              <input name="contact" maxLength={200} value={contact} onChange={(e) => setContact(e.target.value)} autoComplete="tel" inputMode="tel" />
            </label>
          </div>
          <label className="report-check">
            <input type="checkbox" name="confidential" checked={confidential} onChange={(e) => setConfidential(e.target.checked)} />
            {t('form.confidential')}
          </label>
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy} data-testid="report-submit">{busy ? t('form.submitting') : t('form.submit')}</button>
          </div>
        </form>
      )}
    </section>
  );
}
