import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { localTime } from '../i18n/time.ts';
import { useSessionMessages } from '../session/messages.ts';
import {
  AUDIT_ACTION_KINDS, AUDIT_OBJECT_TYPES, AUDIT_OBJECT_WORDS, AUDIT_WORDS, sentenceParts, type AuditObjectType,
} from '../../core/audit/actions.ts';
import { useAdminMessages } from './messages.ts';
import { useRoute } from '../router.ts';
import { objectHref } from './audit-links.ts';
import type { AuditEntry, AuditPage } from '../../core/contracts/audit.ts';


interface Filters { q: string; actor: string; action: string; objectType: string; from: string; to: string }
const NO_FILTERS: Filters = { q: '', actor: '', action: '', objectType: '', from: '', to: '' };

/** The query string of a filter: the same for the list and the CSV export. */
const filterQuery = (f: Filters) => new URLSearchParams(Object.entries(f).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));

const PAGE = 50;

/** The audit log in words: who (name, role), what (a sentence with the object as a link), when (local time), from where. */
export function AuditLog({ users }: { users: { id: number; displayName: string; username: string }[] }) {
  const t = useAdminMessages();
  const ts = useSessionMessages();
  const { lang } = useI18n();
  const words = AUDIT_WORDS[lang];
  // The filter lives in the address (#/admin?q=…&action=cell), so Back from a followed link finds it again.
  const route = useRoute();
  const [initial] = useState<Filters>(() => Object.fromEntries(Object.keys(NO_FILTERS).map((k) => [k, route.params.get(k) ?? ''])) as unknown as Filters);
  const [draft, setDraft] = useState<Filters>(initial);
  const [filters, setFilters] = useState<Filters>(initial);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = useMemo(() => filterQuery(filters), [filters]);

  const load = useCallback(async (before: number | null) => {
    setError(null);
    try {
      const q = new URLSearchParams(query);
      q.set('limit', String(PAGE));
      if (before !== null) q.set('before', String(before));
      const page = await api<AuditPage>(`/api/audit?${q}`);
      setEntries((list) => (before === null ? page.items : [...(list ?? []), ...page.items]));
      setNext(page.next);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [query]);

  useEffect(() => {
    void load(null);
  }, [load]);

  // A filter applies after a short pause, so typing a search does not fetch at every key.
  useEffect(() => {
    const timer = setTimeout(() => setFilters(draft), 300);
    return () => clearTimeout(timer);
  }, [draft]);
  const { setParams } = route;
  useEffect(() => {
    const current = window.location.hash.split('?')[1] ?? '';
    const params = new URLSearchParams(current);
    for (const k of Object.keys(NO_FILTERS)) params.delete(k);
    for (const [k, v] of query) params.set(k, v);
    if (params.toString() !== current) setParams(params);
  }, [query, setParams]);
  const set = (key: keyof Filters, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const exportHref = `/api/audit.csv?${new URLSearchParams([...query, ['lang', lang]])}`;

  const objectLabel = (o: NonNullable<AuditEntry['object']>) => {
    if (o.deleted) return `${o.formerName ?? `#${o.id}`}${lang === 'zh-CN' ? `（${words.deleted}）` : ` (${words.deleted})`}`;
    return o.name ?? `#${o.id}`;
  };

  return (
    <section className="panel-section audit-log" data-testid="audit-log">
      <div className="section-head">
        <h3>{t('audit')}</h3>
        <a className="button small" href={exportHref} download data-testid="audit-export">{t('auditExport')}</a>
      </div>
      <div className="audit-filters">
        <input className="input" type="search" name="audit-q" placeholder={t('auditSearch')} aria-label={t('auditSearch')} value={draft.q} onChange={(e) => set('q', e.target.value)} />
        <select name="audit-actor" aria-label={t('auditWho')} value={draft.actor} onChange={(e) => set('actor', e.target.value)}>
          <option value="">{t('auditAllActors')}</option>
          {users.map((u) => <option key={u.id} value={u.id}>{u.displayName}（{u.username}）</option>)}
        </select>
        <select name="audit-action" aria-label={t('auditWhat')} value={draft.action} onChange={(e) => set('action', e.target.value)}>
          <option value="">{t('auditAllActions')}</option>
          {AUDIT_ACTION_KINDS.map((k) => <option key={k} value={k}>{t(`kind.${k}`)}</option>)}
        </select>
        <select name="audit-object" aria-label={t('auditTarget')} value={draft.objectType} onChange={(e) => set('objectType', e.target.value)}>
          <option value="">{t('auditAllObjects')}</option>
          {AUDIT_OBJECT_TYPES.map((k) => <option key={k} value={k}>{AUDIT_OBJECT_WORDS[lang][k]}</option>)}
        </select>
        <label>{t('auditFrom')}<input className="input" type="date" name="audit-from" value={draft.from} onChange={(e) => set('from', e.target.value)} /></label>
        <label>{t('auditTo')}<input className="input" type="date" name="audit-to" value={draft.to} onChange={(e) => set('to', e.target.value)} /></label>
        {filterQuery(draft).size > 0 && <button type="button" className="link" onClick={() => setDraft(NO_FILTERS)}>{t('auditClear')}</button>}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {entries === null ? <p className="tree-note">{t('loading')}</p> : entries.length === 0 ? <p className="tree-note">{t('auditNone')}</p> : (
        // A phone scrolls the table sideways rather than squeezing the sentences.
        <div className="table-scroll">
          <table className="table audit" data-testid="audit-table">
            <thead><tr><th>{t('auditWhen')}</th><th>{t('auditWho')}</th><th>{t('auditWhat')}</th><th>{t('auditWhere')}</th></tr></thead>
            <tbody>
              {entries.map((e) => {
                const actorName = e.actor ? (e.actor.name ?? e.actor.login ?? '—') : words.public;
                const href = e.object ? objectHref(e.object) : null;
                const parts = sentenceParts(e.action, e.params, lang);
                return (
                  <tr key={e.id} data-action={e.action}>
                    <td className="audit-when">{localTime(e.at, 'datetime', lang)}</td>
                    <td className="audit-who">
                      {e.actor ? <><strong>{actorName}</strong>{e.actor.role && <span className="muted"> · {ts(`role.${e.actor.role}`)}</span>}</> : <span className="muted">{words.anonymous}</span>}
                    </td>
                    <td className="audit-what" data-testid="audit-sentence">
                      {parts.map((p, i) => (
                        <Fragment key={i}>
                          {'text' in p ? p.text
                            : 'actor' in p ? <strong>{actorName}</strong>
                            : !e.object ? words.none
                            : href ? <a href={href} data-object-type={e.object.type}>{objectLabel(e.object)}</a>
                            : <span className={e.object.deleted ? 'audit-deleted' : undefined}>{objectLabel(e.object)}</span>}
                        </Fragment>
                      ))}
                      {e.object && parts.some((p) => 'object' in p) && <span className="muted audit-code"> {AUDIT_OBJECT_WORDS[lang][e.object.type as AuditObjectType] ?? e.object.type} #{e.object.id}</span>}
                    </td>
                    <td className="audit-where mono">{e.address ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && <button type="button" className="button small" onClick={() => void load(next)}>{t('auditMore')}</button>}
    </section>
  );
}
