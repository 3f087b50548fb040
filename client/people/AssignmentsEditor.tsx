import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { addEntry, changeRole, entryKey, gapsIn, move, sameList, suggestedRole, toBody, toEntries, type Assignment, type Entry, type Person, type Role } from './model.ts';
import { usePeopleMessages } from './messages.ts';
import { PersonSearch } from './PersonSearch.tsx';
import { ImportAssignments } from './ImportAssignments.tsx';
import { PeopleGaps } from './PeopleGaps.tsx';
import { assignmentsQuery, invalidateAssignments, useRoles } from './queries.ts';
import './people.css';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const NO_ROLES: Role[] = [];

type Loaded = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; saved: Entry[] };
type Notice = { kind: 'ok' | 'error'; text: string } | null;

/**
 * Who answers for the selected cell, in order: add people by search (or create them), give each a
 * role, reorder by drag and drop or by keyboard, remove; Save replaces the whole list (PUT), and a
 * list breaking a role rule comes back as the server's 422 naming the rule. Bulk import by CSV.
 */
export function AssignmentsEditor({ cellId }: { cellId: number | null }) {
  const t = usePeopleMessages();
  const { lang } = useI18n();
  const roles = useRoles().data ?? NO_ROLES;
  const queryClient = useQueryClient();
  const list = useQuery({ ...assignmentsQuery(cellId ?? 0), enabled: cellId !== null });
  const savedList = useMemo(() => (list.data ? toEntries(list.data) : null), [list.data]);
  const loaded: Loaded = list.isError ? { status: 'error', message: errorText(list.error) } : savedList ? { status: 'ready', saved: savedList } : { status: 'loading' };
  const [draft, setDraft] = useState<Entry[]>([]);
  const [addRole, setAddRole] = useState('');
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [importing, setImporting] = useState(false);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const rows = useRef(new Map<string, HTMLLIElement>());
  const focusAfterMove = useRef<{ key: string; selector: string } | null>(null);

  const roleLabel = useCallback((code: string) => {
    const r = roles.find((x) => x.code === code);
    return r ? (lang === 'zh-CN' ? r.zh : r.en) : code;
  }, [roles, lang]);

  // The list as saved (read, or answered by a save) is the draft to edit.
  useEffect(() => {
    if (savedList) setDraft(savedList);
  }, [savedList]);
  useEffect(() => setNotice(null), [cellId]);

  // The role offered for the next person follows what the list still lacks.
  const suggestion = roles.length ? suggestedRole(roles, draft) : '';
  useEffect(() => setAddRole(suggestion), [suggestion, cellId]);

  // Keeps keyboard focus on the moved row's control.
  useEffect(() => {
    const f = focusAfterMove.current;
    if (!f) return;
    focusAfterMove.current = null;
    rows.current.get(f.key)?.querySelector<HTMLElement>(f.selector)?.focus();
  }, [draft]);

  const edit = (next: Entry[]) => {
    setDraft(next);
    setNotice(null);
  };
  const moveTo = (from: number, to: number, selector?: string) => {
    const next = move(draft, from, to);
    if (next === draft) return;
    if (selector) focusAfterMove.current = { key: entryKey(draft[from]!), selector };
    edit(next);
  };

  function pick(person: Person, role: string): string | null {
    const next = addEntry(draft, person, role);
    if (!next) return t('alreadyListed', { name: person.name, role: roleLabel(role) });
    edit(next);
    return null;
  }

  async function save() {
    if (cellId === null) return;
    setSaving(true);
    setNotice(null);
    try {
      const answer = await api<Assignment[]>(`/api/cells/${cellId}/assignments`, { method: 'PUT', body: toBody(draft) });
      queryClient.setQueryData(assignmentsQuery(cellId).queryKey, answer);
      setNotice({ kind: 'ok', text: t('saved', { n: answer.length }) });
      void invalidateAssignments(queryClient, cellId);
    } catch (e) {
      setNotice({ kind: 'error', text: t('notSaved', { message: errorText(e) }) });
    } finally {
      setSaving(false);
    }
  }

  const onRowKey = (index: number) => (e: KeyboardEvent<HTMLElement>) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    moveTo(index, index + (e.key === 'ArrowUp' ? -1 : 1), '.people-handle');
  };
  const onDragStart = (index: number) => (e: DragEvent<HTMLLIElement>) => {
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(index));
    setDragFrom(index);
  };
  const onDragOver = (index: number) => (e: DragEvent<HTMLLIElement>) => {
    if (dragFrom === null) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    setDropAt(index);
  };
  const onDrop = (index: number) => (e: DragEvent<HTMLLIElement>) => {
    e.preventDefault();
    const from = dragFrom ?? Number(e.dataTransfer.getData('text/plain'));
    setDragFrom(null);
    setDropAt(null);
    if (Number.isInteger(from)) moveTo(from, index);
  };
  const onDragEnd = () => {
    setDragFrom(null);
    setDropAt(null);
  };

  if (cellId === null) {
    return (
      <section className="panel-section people-editor" aria-labelledby="people-title" data-testid="assignments">
        <h3 id="people-title">{t('section')}</h3>
        <p className="muted">{t('selectCell')}</p>
        <button type="button" className="button small" onClick={() => setImporting(true)}>{t('importButton')}</button>
        {importing && <ImportAssignments onClose={() => setImporting(false)} onImported={() => void invalidateAssignments(queryClient, null)} />}
      </section>
    );
  }

  const saved = loaded.status === 'ready' ? loaded.saved : null;
  const dirty = saved !== null && !sameList(saved, draft);
  const gaps = roles.length ? gapsIn(roles, draft) : [];

  return (
    <section className="panel-section people-editor" aria-labelledby="people-title" data-testid="assignments">
      <div className="section-head">
        <h3 id="people-title">{t('section')}</h3>
        <button type="button" className="button small" onClick={() => setImporting(true)}>{t('importButton')}</button>
      </div>
      {loaded.status === 'loading' && <p className="muted">{t('loading')}</p>}
      {loaded.status === 'error' && <p className="form-error" role="alert">{t('loadError', { message: loaded.message })}</p>}
      {loaded.status === 'ready' && (
        <>
          {draft.length === 0 ? <p className="muted">{t('empty')}</p> : (
            <ol className="people-list" data-testid="assignment-list">
              {draft.map((e, i) => {
                const key = entryKey(e);
                return (
                  <li
                    key={key}
                    ref={(el) => {
                      if (el) rows.current.set(key, el);
                      else rows.current.delete(key);
                    }}
                    className={`people-row${dragFrom === i ? ' dragging' : ''}${dropAt === i && dragFrom !== i ? ' drop-target' : ''}`}
                    draggable
                    onDragStart={onDragStart(i)}
                    onDragOver={onDragOver(i)}
                    onDrop={onDrop(i)}
                    onDragEnd={onDragEnd}
                    data-testid="assignment-row"
                    data-person-id={e.personId}
                    data-role={e.role}
                  >
                    <button type="button" className="people-handle" aria-label={t('dragHandle', { name: e.name })} title={t('dragHandle', { name: e.name })} onKeyDown={onRowKey(i)}>
                      <svg viewBox="0 0 10 16" width="10" height="16" aria-hidden="true"><g fill="currentColor">{[3, 8, 13].flatMap((y) => [<circle key={`a${y}`} cx="2.5" cy={y} r="1.4" />, <circle key={`b${y}`} cx="7.5" cy={y} r="1.4" />])}</g></svg>
                    </button>
                    <span className="people-pos" aria-label={t('position', { n: i + 1 })}>{i + 1}</span>
                    <div className="people-who">
                      <span className="people-name">{e.name}</span>
                      <span className="people-meta muted">{[e.phone, e.organisation, e.title].filter(Boolean).join(' · ')}</span>
                    </div>
                    <select
                      className="input people-role"
                      aria-label={t('roleOf', { name: e.name })}
                      value={e.role}
                      onChange={(ev) => {
                        const next = changeRole(draft, i, ev.target.value);
                        if (next) edit(next);
                        else setNotice({ kind: 'error', text: t('alreadyListed', { name: e.name, role: roleLabel(ev.target.value) }) });
                      }}
                    >
                      {!roles.some((r) => r.code === e.role) && <option value={e.role}>{e.role}</option>}
                      {roles.map((r) => <option key={r.code} value={r.code}>{lang === 'zh-CN' ? r.zh : r.en}</option>)}
                    </select>
                    <span className="people-row-actions">
                      <button type="button" className="icon-button people-up" aria-label={t('moveUp', { name: e.name })} title={t('moveUp', { name: e.name })} disabled={i === 0} onClick={() => moveTo(i, i - 1, i - 1 === 0 ? '.people-down' : '.people-up')}>↑</button>
                      <button type="button" className="icon-button people-down" aria-label={t('moveDown', { name: e.name })} title={t('moveDown', { name: e.name })} disabled={i === draft.length - 1} onClick={() => moveTo(i, i + 1, i + 1 === draft.length - 1 ? '.people-up' : '.people-down')}>↓</button>
                      <label className="icon-button people-photo" title={t('photo', { name: e.name })} data-testid="person-photo">
                        📷
                        <input
                          type="file" accept="image/jpeg,image/png,image/webp" aria-label={t('photo', { name: e.name })}
                          onChange={(ev) => {
                            const file = ev.target.files?.[0];
                            ev.target.value = '';
                            if (!file) return;
                            const form = new FormData();
                            form.append('photo', file, file.name);
                            api(`/api/people/${e.personId}/photo`, { method: 'PUT', body: form })
                              .then(() => setNotice({ kind: 'ok', text: t('photoDone', { name: e.name }) }))
                              .catch((err: unknown) => setNotice({ kind: 'error', text: t('photoFailed', { name: e.name, message: err instanceof Error ? err.message : String(err) }) }));
                          }}
                        />
                      </label>
                      <button type="button" className="icon-button people-remove" aria-label={t('remove', { name: e.name })} title={t('remove', { name: e.name })} onClick={() => edit(draft.filter((_, j) => j !== i))}>✕</button>
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
          {roles.length > 0 && (
            <p className="people-gaps-here" data-testid="cell-gaps">
              {gaps.length === 0 ? <span className="badge good">{t('noGapsHere')}</span> : (
                <>
                  <span className="muted">{t('gapsHere')}</span>{' '}
                  {gaps.map((g) => <span key={g.role.code} className="badge warn">{t('gapItem', { role: roleLabel(g.role.code), needed: g.needed, have: g.have })}</span>)}
                </>
              )}
            </p>
          )}
          <PersonSearch roles={roles} role={addRole} onRoleChange={setAddRole} onPick={pick} />
          {notice && <p className={notice.kind === 'ok' ? 'form-ok' : 'form-error'} role={notice.kind === 'ok' ? 'status' : 'alert'} data-testid="assignments-notice">{notice.text}</p>}
          <div className="form-actions people-actions">
            {dirty && <span className="muted people-dirty">{t('unsaved')}</span>}
            <button type="button" className="button" disabled={!dirty || saving} onClick={() => saved && edit(saved)}>{t('revert')}</button>
            <button type="button" className="button primary" disabled={!dirty || saving} onClick={() => void save()} data-testid="assignments-save">{saving ? t('saving') : t('save')}</button>
          </div>
          <PeopleGaps cellId={cellId} />
        </>
      )}
      {importing && <ImportAssignments onClose={() => setImporting(false)} onImported={() => void invalidateAssignments(queryClient, null)} />}
    </section>
  );
}
