import { useState } from 'react';
import type { ViewProps } from '../views.ts';
import { useMapController } from '../map/context.tsx';
import { ExportMenu } from './ExportMenu.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { useExchangeMessages } from './messages.ts';

/** The planner's import and export: export the selected subtree or a level; import boundaries with a preview. */
export function ExchangeSection({ selectedId }: ViewProps) {
  const t = useExchangeMessages();
  const { refreshCells } = useMapController();
  const [importing, setImporting] = useState(false);
  return (
    <section className="panel-section" aria-labelledby="exchange-title">
      <div className="section-head">
        <h3 id="exchange-title">{t('section')}</h3>
        <button type="button" className="button small" onClick={() => setImporting(true)}>{t('importButton')}</button>
      </div>
      <ExportMenu rootId={selectedId} level={null} />
      {importing && <ImportDialog parentId={selectedId} onClose={() => setImporting(false)} onImported={refreshCells} />}
    </section>
  );
}
