import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { useSession } from '../session/session.tsx';
import { useDutiesMessages } from './duties-messages.ts';

import type { CellDuties, DutiesBody, DutyItem } from '../../core/contracts/duties.ts';

type ListKey = 'duties' | 'tasks';
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function ItemList({ items, domainName, testId }: { items: DutyItem[]; domainName: (code: string) => string; testId: string }) {
  const t = useDutiesMessages();
  if (!items.length) return <p className="muted card-nobody">{t('none')}</p>;
  return (
    <ol className="card-duties" data-testid={testId}>
      {items.map((i, k) => (
        <li key={k}>{i.domain !== 'general' && <span className="duty-domain">{domainName(i.domain)}</span>}{i.text}</li>
      ))}
    </ol>
  );
}

/** One list in the editor: rows of domain and text, added, removed, or put back to the level's template. */
function ListEditor({ value, onChange, domains, label, onRestore, inherited }: {
  value: DutyItem[]; onChange: (v: DutyItem[]) => void; domains: CellDuties['domains']; label: string; onRestore: () => void; inherited: boolean;
}) {
  const t = useDutiesMessages();
  const { lang } = useI18n();
  return (
    <fieldset className="duty-editor" data-testid={`duty-editor-${label}`}>
      <legend>{t(label as ListKey)} {inherited && <span className="muted">（{t('inherited')}）</span>}</legend>
      {value.map((item, i) => (
        <div key={i} className="duty-row">
          <select aria-label={t('domain')} value={item.domain} onChange={(e) => onChange(value.map((x, k) => (k === i ? { ...x, domain: e.target.value } : x)))}>
            {domains.map((d) => <option key={d.code} value={d.code}>{lang === 'zh-CN' ? d.zh : d.en}</option>)}
          </select>
          <input aria-label={t('text')} value={item.text} maxLength={500} onChange={(e) => onChange(value.map((x, k) => (k === i ? { ...x, text: e.target.value } : x)))} />
          <button type="button" className="icon-button" aria-label={t('remove')} title={t('remove')} onClick={() => onChange(value.filter((_, k) => k !== i))}>×</button>
        </div>
      ))}
      <div className="duty-actions">
        <button type="button" className="button small" onClick={() => onChange([...value, { domain: 'general', text: '' }])}>{t('add')}</button>
        <button type="button" className="button small" onClick={onRestore} data-testid={`duty-restore-${label}`}>{t('restore')}</button>
      </div>
    </fieldset>
  );
}

/**
 * 五定 on the card: the cell's duties (定职责), tasks (定任务) and its level's reward/penalty rules
 * (定奖惩), with links to the printable board; planners edit the duties and tasks.
 */
export function DutiesSection({ cellId, level, levelCount }: { cellId: number; level: number; levelCount: number }) {
  const t = useDutiesMessages();
  const { lang } = useI18n();
  const session = useSession();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: keys.cells.duties(cellId),
    queryFn: ({ signal }) => api<CellDuties>(`/api/cells/${cellId}/duties`, { signal }),
  });
  const data = query.data ?? null;
  // The draft and the error of a save belong to the cell they were made on.
  const [edit, setEdit] = useState<{ cellId: number; draft: { duties: DutyItem[] | null; tasks: DutyItem[] | null } | null; error: string | null }>({ cellId, draft: null, error: null });
  const own = edit.cellId === cellId ? edit : { cellId, draft: null, error: null };
  const draft = own.draft;
  const setDraft = (d: typeof draft) => setEdit({ cellId, draft: d, error: null });
  const saving = useMutation({
    mutationFn: (body: DutiesBody) => api<CellDuties>(`/api/cells/${cellId}/duties`, { method: 'PUT', body }),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.cells.duties(cellId), saved);
      setEdit({ cellId, draft: null, error: null });
    },
    onError: (e) => setEdit({ ...own, error: errorText(e) }),
  });
  const busy = saving.isPending;
  const error = own.error ?? (query.error ? errorText(query.error) : null);

  const domainName = (code: string) => {
    const d = data?.domains.find((x) => x.code === code);
    return d ? (lang === 'zh-CN' ? d.zh : d.en) : code;
  };

  function save() {
    if (!data || !draft) return;
    setEdit({ ...own, error: null });
    // A list equal to the template is sent as null: the cell keeps following its level.
    const body: Record<ListKey, DutyItem[] | null> = { duties: draft.duties, tasks: draft.tasks };
    for (const k of ['duties', 'tasks'] as const) {
      const list = body[k];
      if (list) body[k] = list.filter((i) => i.text.trim() !== '');
    }
    saving.mutate(body);
  }

  return (
    <div className="card-five" data-testid="card-duties">
      {error && <p className="form-error" role="alert">{error}</p>}
      {data && !draft && (
        <>
          <h4 className="card-subtitle">{t('duties')}{data.dutiesInherited && <span className="muted duty-inherited"> · {t('inherited')}</span>}</h4>
          <ItemList items={data.duties} domainName={domainName} testId="card-duty-list" />
          <h4 className="card-subtitle">{t('tasks')}{data.tasksInherited && <span className="muted duty-inherited"> · {t('inherited')}</span>}</h4>
          <ItemList items={data.tasks} domainName={domainName} testId="card-task-list" />
          {data.rewardRules && (
            <>
              <h4 className="card-subtitle">{t('rules')}</h4>
              <p className="card-rules">{data.rewardRules}</p>
            </>
          )}
          <div className="duty-actions">
            {session.may('assignments.edit') && (
              <button type="button" className="button small" data-testid="duties-edit" onClick={() => setDraft({ duties: data.dutiesInherited ? null : data.duties, tasks: data.tasksInherited ? null : data.tasks })}>{t('edit')}</button>
            )}
            <a className="button small" href={`/cells/${cellId}/board`} target="_blank" rel="noopener" data-testid="board-link">{t('board')}</a>
            {level < levelCount && <a className="button small" href={`/cells/${cellId}/board?children=1`} target="_blank" rel="noopener">{t('boardChildren')}</a>}
          </div>
        </>
      )}
      {data && draft && (
        <form className="duty-form" onSubmit={(e) => { e.preventDefault(); save(); }}>
          {(['duties', 'tasks'] as const).map((k) => (
            <ListEditor
              key={k} label={k} domains={data.domains} inherited={draft[k] === null}
              value={draft[k] ?? data.template[k]}
              onChange={(v) => setDraft({ ...draft, [k]: v })}
              onRestore={() => setDraft({ ...draft, [k]: null })}
            />
          ))}
          <div className="duty-actions">
            <button type="submit" className="button primary small" disabled={busy} data-testid="duties-save">{t('save')}</button>
            <button type="button" className="button small" onClick={() => setDraft(null)}>{t('cancel')}</button>
          </div>
        </form>
      )}
    </div>
  );
}
