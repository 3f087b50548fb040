import { useState, type FormEvent } from 'react';
import type { MapMouseEvent } from 'maplibre-gl';
import { useI18n } from '../i18n/index.tsx';
import { useMap, useMapClick } from '../map/context.tsx';
import { unitsApi, type Unit, type UnitType } from './api.ts';
import { useUnitMarker } from './marker.ts';
import { useUnitMessages } from './messages.ts';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const blank = (s: string) => (s.trim() === '' ? null : s.trim());

/**
 * Files a new unit (its position by a click on the map, the map centre or the phone's location) or
 * edits one's details. The server files it in the cell containing the point.
 */
export function UnitForm({ types, unit, onDone, onCancel }: { types: UnitType[]; unit: Unit | null; onDone: (u: Unit) => void; onCancel: () => void }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const map = useMap();
  const p = unit?.properties;
  const [type, setType] = useState(p?.type ?? types[0]?.code ?? '');
  const [name, setName] = useState(p?.name ?? '');
  const [address, setAddress] = useState(p?.address ?? '');
  const [contact, setContact] = useState(p?.contact ?? '');
  const [households, setHouseholds] = useState(p?.attributes.households !== undefined ? String(p.attributes.households) : '');
  const [at, setAt] = useState<[number, number] | null>(unit ? (unit.geometry.coordinates as [number, number]) : null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const place = (pt: [number, number]) => setAt([round6(pt[0]), round6(pt[1])]);
  // Editing changes details only; a move has its own step on the unit's page.
  useMapClick(unit ? null : (e: MapMouseEvent) => place([e.lngLat.lng, e.lngLat.lat]));
  useUnitMarker(at, unit ? null : place);

  function gps() {
    setError(null);
    navigator.geolocation?.getCurrentPosition(
      (pos) => {
        place([pos.coords.longitude, pos.coords.latitude]);
        map?.easeTo({ center: [pos.coords.longitude, pos.coords.latitude], zoom: Math.max(map.getZoom(), 16) });
      },
      () => setError(t('gpsFailed')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!at) return setError(t('needPoint'));
    setBusy(true);
    setError(null);
    const attributes: Record<string, unknown> = { ...(p?.attributes ?? {}) };
    if (households.trim()) attributes.households = Number(households);
    else delete attributes.households;
    const input = { type, name: name.trim(), address: blank(address), contact: blank(contact), attributes };
    try {
      onDone(unit ? await unitsApi.edit(unit, input) : await unitsApi.create(at, input));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <form className="form unit-form panel-section" onSubmit={(e) => void submit(e)} data-testid="unit-form">
      <div className="section-head">
        <h3>{unit ? t('editTitle') : t('newTitle')}</h3>
      </div>
      <label>
        {t('type')}
        <select name="type" className="input" value={type} onChange={(e) => setType(e.target.value)}>
          {types.map((x) => <option key={x.code} value={x.code}>{lang === 'zh-CN' ? x.zh : x.en}</option>)}
        </select>
      </label>
      <label>{t('name')}<input name="name" className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} /></label>
      <label>{t('address')}<input name="address" className="input" value={address} onChange={(e) => setAddress(e.target.value)} maxLength={500} /></label>
      <label>{t('contact')}<input name="contact" className="input" value={contact} onChange={(e) => setContact(e.target.value)} maxLength={200} /></label>
      <label>{t('households')}<input name="households" className="input" type="number" min={0} step={1} inputMode="numeric" value={households} onChange={(e) => setHouseholds(e.target.value)} /></label>
      {!unit && (
        <fieldset className="unit-where">
          <legend>{t('position')}</legend>
          <p className="small muted" data-testid="unit-where">{at ? t('placed', { lon: at[0].toFixed(6), lat: at[1].toFixed(6) }) : t('pickHint')}</p>
          <div className="unit-where-actions">
            <button type="button" className="button small" onClick={() => map && place(map.getCenter().toArray() as [number, number])}>{t('useCentre')}</button>
            {'geolocation' in navigator && <button type="button" className="button small" onClick={gps}>{t('useGps')}</button>}
          </div>
        </fieldset>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>{t('cancel')}</button>
        <button type="submit" className="button primary" disabled={busy || !name.trim()} data-testid="unit-save">{busy ? t('saving') : t('save')}</button>
      </div>
    </form>
  );
}
