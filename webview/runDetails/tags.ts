// The Tags & Note tab: the note (mlflow.note.content) and the user's tags, editable unless the run
// or store is read-only; system tags (mlflow.*, labbook.*) read-only under a toggle. Each edit is
// a request; the host answers with the fresh details, which re-render the tab.
import type { ParamsOf } from '../../src/protocol/requests.ts';
import type { RunDetails, RunDetailsRequests, TagRow } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';

type EditRequest = 'setTag' | 'deleteTag' | 'setNote';

export function renderTags(ctx: Ctx, panel: HTMLElement, details: RunDetails): void {
  const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'tags-alert' } });
  const editable = !details.readOnly;

  /** Sends an edit; on success the fresh details re-render everything, so nothing else to do. */
  const edit = async <K extends EditRequest>(method: K, params: ParamsOf<RunDetailsRequests, K>, what: string, busy: HTMLElement): Promise<void> => {
    alert.textContent = '';
    busy.setAttribute('aria-busy', 'true');
    try {
      ctx.show(await ctx.rpc.request(method, params));
    } catch (err) {
      alert.textContent = errorText(what, err);
      busy.setAttribute('aria-busy', 'false');
    }
  };

  // The note.
  const noteView = el('pre', { className: 'note-text', text: details.note, attrs: { 'data-testid': 'note' } });
  const note = el('section', { className: 'note', attrs: { 'aria-labelledby': 'note-heading' } }, [el('h2', { text: 'Note', attrs: { id: 'note-heading' } })]);
  if (details.note === '') noteView.replaceChildren(el('span', { className: 'muted', text: 'No note.' }));
  note.append(noteView);
  if (editable) {
    const button = el('button', { text: details.note === '' ? 'Add note' : 'Edit note', attrs: { type: 'button', 'data-action': 'editNote' } });
    button.addEventListener('click', () => {
      const area = el('textarea', { className: 'note-editor', attrs: { rows: '6', 'aria-label': 'Run note', 'data-testid': 'note-editor' } });
      area.value = details.note;
      const save = el('button', { text: 'Save note', attrs: { type: 'button', 'data-action': 'saveNote' } });
      const cancel = el('button', { text: 'Cancel', attrs: { type: 'button' } });
      const form = el('div', { className: 'editor' }, [area, el('div', { className: 'actions' }, [save, cancel])]);
      const close = () => {
        form.replaceWith(noteView, button);
        button.focus();
      };
      save.addEventListener('click', () => void edit('setNote', { content: area.value }, 'save the note', form));
      cancel.addEventListener('click', close);
      area.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') close();
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) save.click();
      });
      noteView.replaceWith(form);
      button.remove();
      area.focus();
    });
    note.append(button);
  }

  // The tags.
  const user = details.tags.filter((t) => !t.system);
  const system = details.tags.filter((t) => t.system);
  const rows = el('tbody');
  const tagRow = (tag: TagRow): HTMLTableRowElement => {
    const row = el('tr', { attrs: { 'data-tag': tag.key, ...(tag.system ? { 'data-system': '' } : {}) } }, [
      el('td', { className: 'mono', text: tag.key }),
      el('td', { className: 'mono value', text: tag.value }),
    ]);
    const actions = el('td', { className: 'row-actions' });
    if (editable && !tag.system) {
      const editButton = el('button', { text: 'Edit', attrs: { type: 'button', 'data-action': 'editTag', 'aria-label': `Edit tag ${tag.key}` } });
      const deleteButton = el('button', { text: 'Delete', attrs: { type: 'button', 'data-action': 'deleteTag', 'aria-label': `Delete tag ${tag.key}` } });
      editButton.addEventListener('click', () => row.replaceWith(editorRow(tag, row)));
      // Two clicks: the first asks, the second deletes (webviews cannot show a modal confirm()).
      let armed: ReturnType<typeof setTimeout> | undefined;
      deleteButton.addEventListener('click', () => {
        if (armed === undefined) {
          deleteButton.textContent = 'Confirm delete';
          deleteButton.setAttribute('aria-label', `Confirm deleting tag ${tag.key}`);
          armed = setTimeout(() => {
            armed = undefined;
            deleteButton.textContent = 'Delete';
            deleteButton.setAttribute('aria-label', `Delete tag ${tag.key}`);
          }, 4000);
          return;
        }
        clearTimeout(armed);
        void edit('deleteTag', { key: tag.key }, `delete tag ${tag.key}`, row);
      });
      actions.append(editButton, deleteButton);
    }
    row.append(actions);
    return row;
  };
  /** A row of inputs: editing `tag` (put back `original` on cancel), or adding a new one. */
  const editorRow = (tag: TagRow | null, original: HTMLElement | null): HTMLTableRowElement => {
    const key = el('input', { attrs: { type: 'text', 'aria-label': 'Tag name', placeholder: 'name', 'data-testid': 'tag-key' } });
    const value = el('input', { attrs: { type: 'text', 'aria-label': 'Tag value', placeholder: 'value', 'data-testid': 'tag-value' } });
    key.value = tag?.key ?? '';
    value.value = tag?.value ?? '';
    const save = el('button', { text: tag ? 'Save' : 'Add tag', attrs: { type: 'button', 'data-action': tag ? 'saveTag' : 'addTag' } });
    const row = el('tr', { className: 'editing' }, [el('td', {}, [key]), el('td', {}, [value]), el('td', { className: 'row-actions' }, [save])]);
    const submit = () => {
      if (key.value.trim() === '') {
        alert.textContent = 'A tag needs a name.';
        key.focus();
        return;
      }
      const params = { key: key.value.trim(), value: value.value, ...(tag && tag.key !== key.value.trim() ? { previousKey: tag.key } : {}) };
      void edit('setTag', params, tag ? `save tag ${tag.key}` : `add tag ${params.key}`, row);
    };
    save.addEventListener('click', submit);
    if (original) {
      const cancel = el('button', { text: 'Cancel', attrs: { type: 'button' } });
      cancel.addEventListener('click', () => {
        row.replaceWith(original);
        original.querySelector<HTMLElement>('[data-action=editTag]')?.focus();
      });
      (row.lastElementChild as HTMLElement).append(cancel);
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') cancel.click();
      });
    }
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') submit();
    });
    if (tag) queueMicrotask(() => value.focus());
    return row;
  };

  const fill = (): void => {
    const shown = ctx.ui.showSystemTags ? [...user, ...system] : user;
    const body: Node[] = shown.map(tagRow);
    if (shown.length === 0) body.push(el('tr', {}, [el('td', { className: 'muted', text: system.length ? 'No user tags.' : 'No tags.', attrs: { colspan: '3' } })]));
    rows.replaceChildren(...body);
  };
  const toggle = el('input', { attrs: { type: 'checkbox', id: 'show-system-tags', 'data-testid': 'system-tags-toggle' } });
  toggle.checked = ctx.ui.showSystemTags;
  toggle.addEventListener('change', () => {
    ctx.ui.showSystemTags = toggle.checked;
    ctx.save();
    fill();
  });
  fill();
  const add = el('tbody', { className: 'add-tag' });
  if (editable) add.append(editorRow(null, null));
  const table = el('table', { className: 'grid tags', attrs: { 'data-testid': 'tags' } }, [
    el('thead', {}, [el('tr', {}, ['Name', 'Value', ''].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    rows,
    add,
  ]);
  const parts: Node[] = [
    note,
    el('h2', { text: 'Tags' }),
    el('div', { className: 'toolbar' }, [el('label', { className: 'toggle', attrs: { for: toggle.id } }, [toggle, document.createTextNode(` Show system tags (${system.length})`)])]),
    table,
    alert,
  ];
  if (!editable) parts.splice(1, 0, el('p', { className: 'muted', text: details.overview.lifecycleStage === 'deleted' ? 'This run is deleted: restore it to edit its tags and note.' : 'This store is read-only: tags and note cannot be edited here.' }));
  panel.replaceChildren(...parts);
}
