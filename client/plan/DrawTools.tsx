import { useState } from 'react';
import type { ViewProps } from '../views.ts';
import { useI18n } from '../i18n/index.tsx';
import { usePlanMessages } from './messages.ts';
import { Icon } from './icons.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { usePlanSession } from './tools/session.ts';
import { toolButton, type Tool } from './tools/rules.ts';
import { DrawTool, parentOptionsOf, startDraw } from './tools/draw.tsx';
import { ReshapeTool, startReshape } from './tools/reshape.tsx';
import { SplitTool, startSplit } from './tools/split.tsx';
import { MergeTool, startMerge } from './tools/merge.tsx';
import { useDeleteTool } from './tools/delete.tsx';
import './plan.css';

/**
 * The planner's tools on the map: draw a new cell, reshape, split, merge, delete, and the history of
 * a cell. Like terra-draw's modes, each tool is its own module (tools/) around one shared session
 * (tools/session.ts); this picks the tool and renders the toolbar.
 */
export function DrawTools(props: ViewProps) {
  const t = usePlanMessages();
  const { levelName } = useI18n();
  const session = usePlanSession(props);
  const { config, map, tool, busy, error, notice, selected, neighbours } = session;
  const [historyOpen, setHistoryOpen] = useState(false);
  const deletion = useDeleteTool(session);

  const active = tool !== 'idle';
  const button = (which: Tool, icon: 'draw' | 'reshape' | 'split' | 'merge', label: string, start: () => void, unavailable: boolean) => {
    const { pressed, disabled } = toolButton(tool, which, { busy, unavailable });
    return (
      <button type="button" className="button small plan-tool" aria-pressed={pressed} disabled={disabled} onClick={() => (pressed ? session.endSession() : start())} data-testid={`plan-${which}`}>
        <Icon name={icon} />
        <span>{label}</span>
      </button>
    );
  };

  return (
    <section className="panel-section plan-tools" aria-labelledby="plan-title" data-testid="plan-tools" data-tool={tool} data-neighbours={neighbours.length}>
      <h3 id="plan-title">{t('title')}</h3>
      {selected ? (
        <p className="plan-selected">{t('selected', { name: selected.properties.name, code: selected.properties.code })} · {levelName(config.levels, selected.properties.level)}</p>
      ) : (
        <p className="plan-hint">{t('hintSelect')}</p>
      )}
      <div className="plan-toolbar" role="toolbar" aria-label={t('title')}>
        {button('draw', 'draw', t('toolDraw'), () => startDraw(session), !map || parentOptionsOf(session).length === 0)}
        {button('reshape', 'reshape', t('toolReshape'), () => void startReshape(session), !map || !selected)}
        {button('split', 'split', t('toolSplit'), () => startSplit(session), !map || !selected)}
        {button('merge', 'merge', t('toolMerge'), () => startMerge(session), !map || !selected)}
        <button type="button" className="button small plan-tool danger" disabled={!selected || busy || active} onClick={deletion.open} data-testid="plan-delete">
          <Icon name="delete" />
          <span>{t('toolDelete')}</span>
        </button>
        <button type="button" className="button small plan-tool" aria-pressed={historyOpen} disabled={!selected} onClick={() => setHistoryOpen((o) => !o)} data-testid="plan-history">
          <Icon name="history" />
          <span>{t('toolHistory')}</span>
        </button>
      </div>

      {notice && !active && <p className="form-ok" role="status">{notice}</p>}

      {tool === 'draw' && <DrawTool session={session} />}
      {tool === 'reshape' && <ReshapeTool session={session} />}
      {tool === 'split' && <SplitTool session={session} />}
      {tool === 'merge' && <MergeTool session={session} />}
      {tool === 'idle' && error && <p className="form-error" role="alert">{error}</p>}

      {historyOpen && selected && (
        <HistoryPanel
          cell={selected}
          reload={session.reload}
          onRestored={(cell, version) => {
            session.refreshCells();
            session.setNotice(t('restored', { version, now: cell.properties.version }));
            props.onSelect(cell.id);
            session.reloadCell(cell.id);
          }}
        />
      )}

      {deletion.dialog}
    </section>
  );
}
