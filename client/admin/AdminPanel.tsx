import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useQueries, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { api, type Cell } from '../api.ts';
import { cellsQuery } from '../data/cells.ts';
import { keys } from '../data/keys.ts';
import type { ViewProps } from '../views.ts';
import { useSessionMessages } from '../session/messages.ts';
import { ROLES, type Account as UserRecord, type NewUserBody, type Role, type UserPatchBody } from '../../core/contracts/accounts.ts';
import { useAdminMessages } from './messages.ts';
import { BasemapSettings } from './BasemapSettings.tsx';
import { AuditLog } from './AuditLog.tsx';
import { useRoute } from '../router.ts';

/** Scopes are whole subtrees; the upper levels (district, street, community) are what offices assign. */
const SCOPE_LEVELS = [1, 2, 3];

/** The scope levels' cells in one list, and the first failure. */
const allCells = (results: UseQueryResult<Cell[]>[]) => ({ cells: results.flatMap((r) => r.data ?? []), error: results.find((r) => r.error)?.error ?? null });

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Draft {
  username: string;
  displayName: string;
  role: Role;
  scope: number[];
  password: string;
}

const EMPTY: Draft = { username: '', displayName: '', role: 'worker', scope: [], password: '' };

/** Account administration for admins: create users, change role and scope, deactivate, reset passwords; the audit log in words. */
export function AdminPanel({ config }: ViewProps) {
  const t = useAdminMessages();
  const ts = useSessionMessages();
  const queryClient = useQueryClient();
  const usersQuery = useQuery({ queryKey: keys.admin.users(), queryFn: ({ signal }) => api<UserRecord[]>('/api/users', { signal }) });
  const users = usersQuery.data ?? null;
  const levels = SCOPE_LEVELS.filter((l) => config.levels.some((c) => c.level === l));
  const scopeCells = useQueries({
    queries: levels.map((level) => cellsQuery({ level })),
    combine: allCells,
  });
  const cells = scopeCells.cells;
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [actionError, setError] = useState<string | null>(null);
  const loadError = usersQuery.error ?? scopeCells.error;
  const error = actionError ?? (loadError ? errorText(loadError) : null);
  const [notice, setNotice] = useState<string | null>(null);

  /** After a write: the list is read again (awaited, as the form closes on it). */
  const load = () => queryClient.invalidateQueries({ queryKey: keys.admin.users() });

  // #/admin?user=12 (a link in the audit log) opens that account's form.
  const linkedUser = Number(useRoute().params.get('user')) || null;
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const user = users?.find((u) => u.id === linkedUser);
    if (!user) return;
    open(user);
    requestAnimationFrame(() => formRef.current?.scrollIntoView({ block: 'nearest' }));
  }, [linkedUser, users]);

  const cellName = useMemo(() => new Map(cells.map((c) => [c.id, `${c.properties.name} ${c.properties.code}`])), [cells]);

  function open(user: UserRecord | null) {
    setError(null);
    setNotice(null);
    if (user) {
      setEditing(user.id);
      setDraft({ username: user.username, displayName: user.displayName, role: user.role, scope: user.scope, password: '' });
    } else {
      setEditing('new');
      setDraft(EMPTY);
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      if (editing === 'new') {
        const body: NewUserBody = { ...draft, username: draft.username.trim() };
        await api('/api/users', { method: 'POST', body });
        setNotice(t('created', { name: draft.displayName }));
      } else if (editing !== null) {
        const body: UserPatchBody = { displayName: draft.displayName, role: draft.role, scope: draft.scope };
        if (draft.password) body.password = draft.password;
        await api(`/api/users/${editing}`, { method: 'PATCH', body });
        setNotice(t('saved', { name: draft.displayName }));
      }
      setEditing(null);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function setActive(user: UserRecord, active: boolean) {
    setError(null);
    try {
      const body: UserPatchBody = { active };
      await api(`/api/users/${user.id}`, { method: 'PATCH', body });
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="view-panel admin">
      <section className="panel-section">
        <div className="section-head">
          <h3>{t('users')}</h3>
          <button type="button" className="button small primary" onClick={() => open(null)} data-testid="new-user">{t('newUser')}</button>
        </div>
        {notice && <p className="form-ok" role="status">{notice}</p>}
        {error && <p className="form-error" role="alert">{error}</p>}
        {editing !== null && (
          <form ref={formRef} className="form admin-form" onSubmit={(e) => void save(e)} data-testid="user-form">
            {editing === 'new' && (
              <label>{t('username')}<input name="new-username" value={draft.username} onChange={(e) => setDraft({ ...draft, username: e.target.value })} required autoComplete="off" /></label>
            )}
            <label>{t('displayName')}<input name="displayName" value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} required /></label>
            <label>{t('role')}
              <select name="role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}>
                {ROLES.map((r) => <option key={r} value={r}>{ts(`role.${r}`)}</option>)}
              </select>
            </label>
            <label title={t('scopeHint')}>{t('scope')}
              <select
                name="scope"
                multiple
                size={6}
                value={draft.scope.map(String)}
                onChange={(e) => setDraft({ ...draft, scope: [...e.target.selectedOptions].map((o) => Number(o.value)) })}
              >
                {cells.map((c) => (
                  <option key={c.id} value={c.id}>{'\u00a0'.repeat((c.properties.level - 1) * 2)}{c.properties.name} · {c.properties.code}</option>
                ))}
              </select>
            </label>
            <label>{editing === 'new' ? t('password') : t('newPassword')}
              <input name="new-password" type="password" autoComplete="new-password" value={draft.password} onChange={(e) => setDraft({ ...draft, password: e.target.value })} required={editing === 'new'} />
            </label>
            {editing !== 'new' && <p className="tree-note" data-testid="password-reset-note">{t('newPasswordHint')}</p>}
            <div className="form-actions">
              <button type="button" className="button" onClick={() => setEditing(null)}>{t('cancel')}</button>
              <button type="submit" className="button primary">{editing === 'new' ? t('create') : t('save')}</button>
            </div>
          </form>
        )}
        {users === null ? <p className="tree-note">{t('loading')}</p> : (
          <table className="table" data-testid="users">
            <thead><tr><th>{t('username')}</th><th>{t('role')}</th><th>{t('scope')}</th><th /></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} className={u.active ? '' : 'inactive'}>
                  <td><strong>{u.displayName}</strong><br /><span className="mono">{u.username}</span>{!u.active && <> <span className="badge bad">{t('inactive')}</span></>}</td>
                  <td>{ts(`role.${u.role}`)}</td>
                  <td>{u.scope.length ? u.scope.map((id) => cellName.get(id) ?? `#${id}`).join('、') : t('scopeAll')}</td>
                  <td className="row-actions">
                    <button type="button" className="link" onClick={() => open(u)}>{t('edit')}</button>
                    <button type="button" className="link" onClick={() => void setActive(u, !u.active)}>{u.active ? t('deactivate') : t('activate')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <BasemapSettings />
      <AuditLog users={users ?? []} />
    </div>
  );
}
