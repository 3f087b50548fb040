import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useDebounced } from '../data/debounce.ts';
import { useI18n } from '../i18n/index.tsx';
import type { Person, Role } from './model.ts';
import type { NewPersonBody } from '../../core/contracts/people.ts';
import { usePeopleMessages } from './messages.ts';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const DEBOUNCE_MS = 200;

interface Props {
  roles: Role[];
  role: string;
  onRoleChange: (role: string) => void;
  /** Adds the person in the chosen role; returns an error text when it cannot. */
  onPick: (person: Person, role: string) => string | null;
}

type Results = { status: 'idle' } | { status: 'searching' } | { status: 'ready'; people: Person[] } | { status: 'error'; message: string };

/**
 * Search-as-you-type over GET /api/people?q= (an ARIA combobox: arrows, Enter, Escape), a role to
 * give, and a form to create the person inline when no one matches.
 */
export function PersonSearch({ roles, role, onRoleChange, onPick }: Props) {
  const t = usePeopleMessages();
  const { lang } = useI18n();
  const id = useId();
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState<{ name: string } | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // Search as the user types, keyed by the term once it has settled: "searching" from the first key.
  const term = q.trim();
  const settled = useDebounced(term, DEBOUNCE_MS);
  const search = useQuery({
    queryKey: keys.people.search({ q: settled, limit: 8 }),
    queryFn: ({ signal }) => api<Person[]>(`/api/people?${new URLSearchParams({ q: settled, limit: '8' })}`, { signal }),
    enabled: settled !== '',
  });
  const results: Results = !term ? { status: 'idle' }
    : term !== settled || search.isPending ? { status: 'searching' }
    : search.isError ? { status: 'error', message: errorText(search.error) }
    : { status: 'ready', people: search.data };
  // New results put the active option back on the first.
  const [listed, setListed] = useState(search.data);
  if (listed !== search.data) {
    setListed(search.data);
    setActive(0);
  }

  const people = results.status === 'ready' ? results.people : [];
  // The last option creates a new person with the typed name.
  const optionCount = results.status === 'ready' ? people.length + 1 : 0;
  const expanded = open && q.trim() !== '' && results.status !== 'idle';

  function choose(index: number) {
    if (index < people.length) {
      const error = onPick(people[index]!, role);
      setPickError(error);
      if (!error) {
        setQ('');
        setOpen(false);
        input.current?.focus();
      }
    } else {
      setCreating({ name: q.trim() });
      setOpen(false);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && optionCount) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % optionCount);
    } else if (e.key === 'ArrowUp' && optionCount) {
      e.preventDefault();
      setActive((a) => (a - 1 + optionCount) % optionCount);
    } else if (e.key === 'Enter' && expanded && optionCount) {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape' && expanded) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  }

  const optionId = (i: number) => `${id}-opt-${i}`;

  return (
    <div className="people-add">
      <h4 className="people-subtitle">{t('addTitle')}</h4>
      <div className="people-add-row">
        <div className="people-combo">
          <input
            ref={input}
            className="input"
            type="search"
            role="combobox"
            aria-label={t('search')}
            aria-expanded={expanded}
            aria-controls={`${id}-list`}
            aria-autocomplete="list"
            aria-activedescendant={expanded && optionCount ? optionId(active) : undefined}
            placeholder={t('searchPlaceholder')}
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setOpen(true);
              setPickError(null);
            }}
            onFocus={() => setOpen(true)}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
            onKeyDown={onKeyDown}
            data-testid="person-search"
          />
          {expanded && (
            <ul id={`${id}-list`} role="listbox" className="people-options" aria-label={t('search')}>
              {results.status === 'searching' && <li className="people-option muted" aria-disabled="true">{t('searching')}</li>}
              {results.status === 'error' && <li className="people-option error" aria-disabled="true">{results.message}</li>}
              {results.status === 'ready' && people.length === 0 && <li className="people-option muted" aria-disabled="true">{t('noMatch', { q: q.trim() })}</li>}
              {people.map((p, i) => (
                <li
                  key={p.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={active === i}
                  className="people-option"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(i)}
                  onMouseEnter={() => setActive(i)}
                >
                  <span className="people-option-name">{p.name}</span>
                  {p.phone && <span className="mono muted">{p.phone}</span>}
                  {(p.organisation || p.title) && <span className="people-option-org muted">{[p.organisation, p.title].filter(Boolean).join(' · ')}</span>}
                </li>
              ))}
              {results.status === 'ready' && (
                <li
                  id={optionId(people.length)}
                  role="option"
                  aria-selected={active === people.length}
                  className="people-option people-option-new"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(people.length)}
                  onMouseEnter={() => setActive(people.length)}
                >
                  {t('createNew', { q: q.trim() })}
                </li>
              )}
            </ul>
          )}
        </div>
        <label className="people-role-pick">
          <span>{t('asRole')}</span>
          <select className="input" value={role} onChange={(e) => onRoleChange(e.target.value)} data-testid="add-role">
            {roles.map((r) => <option key={r.code} value={r.code}>{lang === 'zh-CN' ? r.zh : r.en}</option>)}
          </select>
        </label>
      </div>
      {pickError && <p className="form-error" role="alert">{pickError}</p>}
      {creating && (
        <NewPerson
          name={creating.name}
          onCancel={() => setCreating(null)}
          onCreated={(person) => {
            const error = onPick(person, role);
            setPickError(error);
            setCreating(null);
            setQ('');
          }}
        />
      )}
    </div>
  );
}

/** Creates a person (POST /api/people); a phone that is someone's already offers that person instead. */
function NewPerson({ name, onCancel, onCreated }: { name: string; onCancel: () => void; onCreated: (p: Person) => void }) {
  const t = usePeopleMessages();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [existing, setExisting] = useState<number | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const queryClient = useQueryClient();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (k: string) => String(data.get(k) ?? '').trim();
    setBusy(true);
    setError(null);
    setExisting(null);
    try {
      const body: NewPersonBody = { name: text('name'), phone: text('phone') || null, organisation: text('organisation') || null, title: text('title') || null };
      const created = await api<Person>('/api/people', { method: 'POST', body });
      // A search that was read before may now find the new person.
      void queryClient.invalidateQueries({ queryKey: keys.people.searches() });
      onCreated(created);
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError && typeof err.problem.personId === 'number') setExisting(err.problem.personId);
    } finally {
      setBusy(false);
    }
  }

  async function pickExisting() {
    if (existing === null) return;
    try {
      onCreated(await api<Person>(`/api/people/${existing}`));
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <form className="form admin-form people-new" onSubmit={submit} aria-label={t('createTitle')} data-testid="new-person">
      <h4 className="people-subtitle">{t('createTitle')}</h4>
      <label>{t('name')}<input ref={first} name="name" defaultValue={name} required maxLength={100} /></label>
      <label>{t('phone')}<input name="phone" type="tel" inputMode="tel" maxLength={40} /></label>
      <label>{t('organisation')}<input name="organisation" maxLength={200} /></label>
      <label>{t('title')}<input name="title" maxLength={100} /></label>
      {error && <p className="form-error" role="alert">{error}</p>}
      {existing !== null && <button type="button" className="button small" onClick={() => void pickExisting()}>{t('useExisting', { id: existing })}</button>}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>{t('cancel')}</button>
        <button type="submit" className="button primary" disabled={busy}>{busy ? t('creating') : t('create')}</button>
      </div>
    </form>
  );
}
