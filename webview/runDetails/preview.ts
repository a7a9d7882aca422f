// An artifact's preview, by kind: text, JSON, CSV as a table, images from data: URIs (SVG too, only
// ever as an <img>, where it cannot run script), and clear words for what cannot be shown.
import type { ArtifactPreview } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import { formatBytes, plural } from './format.ts';
import { diffText, plainText } from './textViews.ts';

const SAFE_IMAGE = /^data:image\/(png|jpeg|gif|webp|bmp|svg\+xml);base64,[A-Za-z0-9+/=]*$/;

export function renderPreview(preview: ArtifactPreview): Node[] {
  switch (preview.kind) {
    case 'text':
      return [
        ...truncationNote(preview.truncated, `Showing the first ${formatBytes(new TextEncoder().encode(preview.text).length)} of ${formatBytes(preview.size)}.`),
        preview.language === 'diff' ? diffText(preview.text, 'preview-text') : plainText(preview.text, 'preview-text'),
      ];
    case 'json':
      return [...truncationNote(preview.truncated, 'Showing the start of the file.'), plainText(preview.text, 'preview-json')];
    case 'csv': {
      const width = Math.max(preview.header.length, ...preview.rows.map((r) => r.length));
      const pad = (cells: readonly string[]) => Array.from({ length: width }, (_, i) => cells[i] ?? '');
      const table = el('table', { className: 'grid csv', attrs: { 'data-testid': 'preview-csv' } }, [
        el('thead', {}, [el('tr', {}, pad(preview.header).map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
        el('tbody', {}, preview.rows.map((r) => el('tr', {}, pad(r).map((c) => el('td', { text: c }))))),
      ]);
      return [
        el('p', { className: 'muted', text: `${plural(preview.rows.length, 'row')}${preview.truncated ? ' shown; the file has more' : ''}.` }),
        el('div', { className: 'table-scroll' }, [table]),
      ];
    }
    case 'image': {
      if (!SAFE_IMAGE.test(preview.dataUri)) return [el('p', { className: 'error', text: 'This image could not be shown.' })];
      return [el('img', { className: 'preview-image', attrs: { src: preview.dataUri, alt: preview.path, 'data-testid': 'preview-image' } })];
    }
    case 'binary':
      return [el('p', { className: 'muted empty', text: `Binary file (${formatBytes(preview.size)}): no preview. Open it in an editor or save it.` })];
    case 'tooLarge':
      return [el('p', { className: 'muted empty', text: `This ${preview.what} is ${formatBytes(preview.size)}, more than the ${formatBytes(preview.limit)} shown here. Open it in an editor or save it.` })];
    case 'missing':
      return [el('p', { className: 'muted empty', text: preview.message })];
  }
}

function truncationNote(truncated: boolean, text: string): Node[] {
  return truncated ? [el('p', { className: 'note-truncated', text: `${text} Open it in an editor to see all of it.`, attrs: { 'data-testid': 'truncated' } })] : [];
}
