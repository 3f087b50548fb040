import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import type { BasemapSetting } from '../../core/basemap/basemap.ts';
import { BASEMAP_KINDS } from '../../core/contracts/system.ts';
import { defineMessages } from '../i18n/define.ts';

const useMessages = defineMessages({
  'zh-CN': {
    title: '底图',
    intro: '默认不加载底图（离线可用）。可选天地图、自定义样式或瓦片地址，或数据目录中的本地 PMTiles 文件。高德、腾讯、百度等 GCJ-02/BD-09 瓦片存在数百米偏移，不予支持。',
    'kind.none': '无底图（离线）',
    'kind.tianditu': '天地图（矢量 + 注记，可切换卫星影像）',
    'kind.style': 'MapLibre 样式地址',
    'kind.raster': '栅格瓦片地址（XYZ）',
    'kind.local': '本地 PMTiles 文件',
    key: '天地图密钥（tk）',
    keyHint: '在 console.tianditu.gov.cn 申请“浏览器端”密钥',
    styleUrl: '样式地址',
    rasterTiles: '瓦片地址，含 {z}/{x}/{y}',
    attribution: '版权说明',
    localFile: '文件',
    localHint: '将栅格 .pmtiles 文件复制到 {dir}',
    noLocal: '目录中还没有 .pmtiles 文件',
    save: '保存底图',
    saved: '底图已保存，刷新页面后生效。',
  },
  en: {
    title: 'Basemap',
    intro: 'By default no basemap is loaded (works offline). Choose Tianditu, a style or tile URL, or a local PMTiles file in the data directory. AMap, Tencent and Baidu tiles (GCJ-02/BD-09) are offset by hundreds of metres and are refused.',
    'kind.none': 'None (offline)',
    'kind.tianditu': 'Tianditu (map + labels, satellite toggle)',
    'kind.style': 'MapLibre style URL',
    'kind.raster': 'Raster tile URL (XYZ)',
    'kind.local': 'Local PMTiles file',
    key: 'Tianditu key (tk)',
    keyHint: 'A "browser" key from console.tianditu.gov.cn',
    styleUrl: 'Style URL',
    rasterTiles: 'Tile URL with {z}/{x}/{y}',
    attribution: 'Attribution',
    localFile: 'File',
    localHint: 'Copy a raster .pmtiles file to {dir}',
    noLocal: 'No .pmtiles file in the directory yet',
    save: 'Save basemap',
    saved: 'Basemap saved; reload the page to see it.',
  },
});

interface BasemapAnswer { setting: BasemapSetting; localFiles: string[]; localDir: string }
const NONE: string[] = [];

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The admin's one step to a basemap: stored in the database, applied on the next page load. */
export function BasemapSettings() {
  const t = useMessages();
  const queryClient = useQueryClient();
  const stored = useQuery({
    queryKey: keys.admin.basemap(),
    queryFn: ({ signal }) => api<BasemapAnswer>('/api/settings/basemap', { signal }),
  });
  // The admin's changes over the stored setting; no form until that has arrived (a choice made before
  // would be overwritten by it).
  const [edited, setDraft] = useState<BasemapSetting | null>(null);
  const draft = edited ?? stored.data?.setting ?? null;
  const localFiles = stored.data?.localFiles ?? NONE;
  const localDir = stored.data?.localDir ?? '';
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? (stored.error ? errorText(stored.error) : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (patch: Partial<BasemapSetting>) => setDraft(draft ? { ...draft, ...patch } : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const saved = await api<BasemapSetting>('/api/settings/basemap', { method: 'PUT', body: draft });
      setDraft(saved);
      queryClient.setQueryData<BasemapAnswer>(keys.admin.basemap(), (a) => (a ? { ...a, setting: saved } : a));
      setNotice(t('saved'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel-section" data-testid="basemap-settings">
      <h3>{t('title')}</h3>
      <p className="muted small">{t('intro')}</p>
      {!draft && error && <p className="form-error" role="alert">{error}</p>}
      {draft && <form className="form" onSubmit={submit}>
        {BASEMAP_KINDS.map((k) => (
          <label key={k} className="radio">
            <input type="radio" name="basemap-kind" value={k} checked={draft.kind === k} onChange={() => set({ kind: k })} data-testid={`basemap-kind-${k}`} /> {t(`kind.${k}`)}
          </label>
        ))}
        {draft.kind === 'tianditu' && (
          <label>{t('key')}
            <input className="input mono" value={draft.tiandituKey ?? ''} onChange={(e) => set({ tiandituKey: e.target.value })} autoComplete="off" spellCheck={false} data-testid="basemap-key" />
            <span className="muted small">{t('keyHint')}</span>
          </label>
        )}
        {draft.kind === 'style' && (
          <label>{t('styleUrl')}<input className="input" type="url" value={draft.styleUrl ?? ''} onChange={(e) => set({ styleUrl: e.target.value })} data-testid="basemap-style" /></label>
        )}
        {draft.kind === 'raster' && (
          <label>{t('rasterTiles')}<input className="input" value={draft.rasterTiles ?? ''} onChange={(e) => set({ rasterTiles: e.target.value })} data-testid="basemap-tiles" /></label>
        )}
        {draft.kind === 'local' && (
          <label>{t('localFile')}
            <select className="input" value={draft.localFile ?? ''} onChange={(e) => set({ localFile: e.target.value })} data-testid="basemap-local">
              <option value="">—</option>
              {localFiles.map((f) => <option key={f} value={f}>{f}</option>)}
            </select>
            <span className="muted small">{localFiles.length ? t('localHint', { dir: localDir }) : `${t('noLocal')} · ${t('localHint', { dir: localDir })}`}</span>
          </label>
        )}
        {(draft.kind === 'style' || draft.kind === 'raster' || draft.kind === 'local') && (
          <label>{t('attribution')}<input className="input" value={draft.attribution ?? ''} onChange={(e) => set({ attribution: e.target.value })} /></label>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        {notice && <p className="form-ok" role="status">{notice}</p>}
        <div className="form-actions"><button type="submit" className="button primary small" disabled={busy} data-testid="basemap-save">{t('save')}</button></div>
      </form>}
    </section>
  );
}
