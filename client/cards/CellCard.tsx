import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { useRoleOrder } from '../data/cells.ts';
import { keys } from '../data/keys.ts';
import { useI18n, type Lang } from '../i18n/index.tsx';
import type { ViewProps } from '../views.ts';
import { useCardMessages } from './messages.ts';
import { DutiesSection } from './DutiesSection.tsx';
import './card.css';
import type { Card, CardCell, CardPerson } from '../../core/contracts/people.ts';

interface Named {
  zh: string;
  en: string;
}

type Loaded<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; value: T };

const named = (n: Named, lang: Lang) => (lang === 'zh-CN' ? n.zh : n.en);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A cell's public card (keys.cells.card); null id: none. */
function useCard(id: number | null): Loaded<Card> | null {
  const query = useQuery({
    queryKey: keys.cells.card(id ?? 0),
    queryFn: ({ signal }) => api<Card>(`/api/cells/${id}/card`, { signal }),
    enabled: id !== null,
  });
  if (id === null) return null;
  if (query.isError) return { status: 'error', message: errorText(query.error) };
  if (query.isPending) return { status: 'loading' };
  return { status: 'ready', value: query.data };
}

/** The people of a card grouped by role, roles in their configured order, people in the cell's order. */
function PeopleByRole({ people, order }: { people: CardPerson[]; order: string[] }) {
  const t = useCardMessages();
  const { lang } = useI18n();
  if (people.length === 0) return <p className="card-nobody muted">{t('nobody')}</p>;
  const rank = (role: string) => {
    const i = order.indexOf(role);
    return i < 0 ? order.length : i;
  };
  const roles = [...new Set(people.map((p) => p.role))].sort((a, b) => rank(a) - rank(b));
  return (
    <dl className="card-people">
      {roles.map((role) => {
        const holders = people.filter((p) => p.role === role);
        return (
          <div key={role} className="card-role" data-role={role}>
            <dt>{named(holders[0]!.roleName, lang)}</dt>
            {holders.map((p, i) => (
              <dd key={i} className="card-person" data-testid="card-person">
                {p.photoUrl && <img className="card-person-photo" src={p.photoUrl} alt={p.name} loading="lazy" data-testid="card-person-photo" />}
                <span className="card-person-name">{p.name}</span>
                {(p.title || p.organisation) && <span className="card-person-org">{[p.organisation, p.title].filter(Boolean).join(' · ')}</span>}
                {p.phone && (p.phone.includes('*')
                  ? <span className="card-phone mono" title={t('masked')} data-testid="card-phone">{p.phone}</span>
                  : <a className="card-phone mono" href={`tel:${p.phone}`} aria-label={t('call', { phone: p.phone })} data-testid="card-phone">{p.phone}</a>)}
              </dd>
            ))}
          </div>
        );
      })}
    </dl>
  );
}

function formatArea(m2: number, t: ReturnType<typeof useCardMessages>, lang: Lang) {
  const locale = lang === 'zh-CN' ? 'zh-CN' : 'en';
  if (m2 >= 1e6) return t('areaKm2', { value: (m2 / 1e6).toLocaleString(locale, { maximumFractionDigits: 2 }) });
  return t('areaM2', { value: Math.round(m2).toLocaleString(locale) });
}

/** A parent's card, read when its row is opened. */
function ParentCard({ cell, order }: { cell: CardCell; order: string[] }) {
  const t = useCardMessages();
  const { lang } = useI18n();
  const [open, setOpen] = useState(false);
  const state = useCard(open ? cell.id : null);
  return (
    <details className="card-parent" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="card-parent">
      <summary>
        <span className="card-parent-level">{named(cell.levelName, lang)}</span>
        <span className="card-parent-name">{cell.name}</span>
      </summary>
      {state?.status === 'loading' && <p className="muted">{t('loading')}</p>}
      {state?.status === 'error' && <p className="form-error" role="alert">{t('error', { message: state.message })}</p>}
      {state?.status === 'ready' && (
        <>
          <p className="card-parent-meta muted"><span className="mono">{state.value.code}</span> · {formatArea(state.value.areaM2, t, lang)}</p>
          <PeopleByRole people={state.value.people} order={order} />
        </>
      )}
    </details>
  );
}

/** The public card of the selected cell (亮身份): who answers for this ground, with masked phones, and its parents. */
export function CellCard({ selectedId, config }: ViewProps) {
  const t = useCardMessages();
  const { lang } = useI18n();
  const order = useRoleOrder();
  const state = useCard(selectedId);
  if (!state) return null;

  return (
    <section className="panel-section cell-card" aria-labelledby="cell-card-title" data-testid="cell-card" aria-busy={state.status === 'loading'}>
      <h3 id="cell-card-title">{t('title')}</h3>
      {state.status === 'loading' && <p className="muted">{t('loading')}</p>}
      {state.status === 'error' && <p className="form-error" role="alert">{t('error', { message: state.message })}</p>}
      {state.status === 'ready' && (
        <div className="card" data-cell-id={state.value.id}>
          <div className="card-head">
            <span className="card-name" data-testid="card-name">{state.value.name}</span>
            <span className="badge">{named(state.value.levelName, lang)}</span>
          </div>
          <dl className="card-facts">
            <div><dt>{t('code')}</dt><dd className="mono">{state.value.code}</dd></div>
            <div><dt>{t('area')}</dt><dd>{formatArea(state.value.areaM2, t, lang)}</dd></div>
          </dl>
          <h4 className="card-subtitle">{t('people')}</h4>
          <PeopleByRole people={state.value.people} order={order} />
          <DutiesSection cellId={state.value.id} level={state.value.level} levelCount={config.levels.length} />
          {state.value.parents.length > 0 && (
            <div className="card-parents">
              <h4 className="card-subtitle" title={t('parentsHint')}>{t('parents')}</h4>
              {[...state.value.parents].reverse().map((p) => <ParentCard key={p.id} cell={p} order={order} />)}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
