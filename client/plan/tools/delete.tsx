import { useEffect, useRef, useState } from 'react';
import { api } from '../../api.ts';
import { usePlanMessages } from '../messages.ts';
import type { PlanSession } from './session.ts';

/**
 * Delete, after a confirmation in a modal dialog (no map session). Returns what opens the dialog,
 * for the toolbar's button, and the dialog itself, which stays in the page so it can open as a modal.
 */
export function useDeleteTool(session: PlanSession) {
  const t = usePlanMessages();
  const { selected, busy, setBusy } = session;
  const [deleting, setDeleting] = useState(false);
  // The refusal is shown in the dialog (a cell with children), not under the toolbar behind it.
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (deleting && !d.open) d.showModal();
    if (!deleting && d.open) d.close();
  }, [deleting]);

  const open = () => {
    setDeleteError(null);
    setDeleting(true);
  };

  const doDelete = async () => {
    if (!selected) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api(`/api/cells/${selected.id}`, { method: 'DELETE' });
      session.refreshCells();
      setDeleting(false);
      session.setNotice(t('deleted', { name: selected.properties.name }));
      // The parent is what remains to look at.
      session.onSelect(selected.properties.parentId);
    } catch (e) {
      setDeleteError(session.errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const view = (
    <dialog ref={dialog} className="dialog" aria-labelledby="plan-delete-title" onClose={() => setDeleting(false)} data-testid="plan-delete-dialog">
      {selected && (
        <div className="form">
          <h2 id="plan-delete-title">{t('deleteTitle')}</h2>
          <p>{t('deleteBody', { name: selected.properties.name, code: selected.properties.code })}</p>
          {deleteError && <p className="form-error" role="alert">{deleteError}</p>}
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setDeleting(false)}>{t('cancel')}</button>
            <button type="button" className="button danger" disabled={busy} onClick={() => void doDelete()} data-testid="plan-delete-go">{t('deleteGo')}</button>
          </div>
        </div>
      )}
    </dialog>
  );
  return { open, dialog: view };
}
