// What changed in a cell's outputs: text outputs as text diffs, images from the notebooks' own data
// (data: URIs, which the CSP's img-src allows) side by side, with swipe and onion-skin compares.
import type { DiffLayout, NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { el } from '../shared/dom.ts';
import { renderTextDiff, splitLines, wholeText } from './textDiffView.ts';
import type { CellDiff, CellOutput, KeyChange, OutputChange, OutputDiff, OutputSummary } from './types.ts';

const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'];

export function renderOutputs(cell: CellDiff, data: NotebookDiffData, layout: DiffLayout): HTMLElement | null {
  const changed = (cell.outputs ?? []).filter((o) => o.op !== 'unchanged');
  if (!changed.length) return null;
  return el('div', { className: 'outputs' }, changed.map((o) => renderOutputDiff(o, cell, data, layout)));
}

function renderOutputDiff(o: OutputDiff, cell: CellDiff, data: NotebookDiffData, layout: DiffLayout): HTMLElement {
  const base = output(data, 'base', cell.baseIndex, o.baseIndex);
  const remote = output(data, 'remote', cell.remoteIndex, o.remoteIndex);
  const position = (o.remoteIndex ?? o.baseIndex ?? 0) + 1;
  const what = describe(o.remote ?? o.base);
  const head = el('div', { className: 'output-head' }, [
    el('span', { className: `badge badge-${o.op}`, text: o.op }),
    el('span', { text: `Output ${position}${what ? ` · ${what}` : ''}` }),
  ]);
  let body: Node[];
  if (o.op === 'added') body = [renderWhole(remote, o.remote, 'insert', layout)];
  else if (o.op === 'removed') body = [renderWhole(base, o.base, 'delete', layout)];
  else body = (o.changes ?? []).map((change) => renderChange(change, base, remote, layout));
  return el('div', { className: `output output-${o.op}` }, [head, ...body]);
}

function output(data: NotebookDiffData, side: 'base' | 'remote', cellIndex: number | null, index: number | null): CellOutput | undefined {
  if (cellIndex === null || index === null) return undefined;
  return data[side].cells[cellIndex]?.outputs[index];
}

function describe(summary: OutputSummary | undefined): string {
  if (!summary) return '';
  const parts = [summary.outputType.replace('_', ' ')];
  if (summary.name) parts.push(summary.name);
  if (summary.mimeTypes.length) parts.push(summary.mimeTypes.join(', '));
  return parts.join(' · ');
}

/** An output present on one side only: its images, else its text, all marked inserted or deleted. */
function renderWhole(out: CellOutput | undefined, summary: OutputSummary | undefined, op: 'insert' | 'delete', layout: DiffLayout): HTMLElement {
  const label = op === 'insert' ? 'Added output' : 'Removed output';
  const images = out ? imagesOf(out) : [];
  if (images.length) {
    return el('div', { className: `images ${op === 'insert' ? 'ins' : 'del'}` }, images.map(({ mime, uri }) => imageFigure(uri, mime, op === 'insert' ? 'remote' : 'base')));
  }
  return renderTextDiff(wholeText(out ? textOf(out) : (summary?.preview ?? ''), op), layout, label);
}

function renderChange(change: OutputChange, base: CellOutput | undefined, remote: CellOutput | undefined, layout: DiffLayout): HTMLElement {
  switch (change.part) {
    case 'text':
      return el('div', { className: 'change' }, [el('div', { className: 'change-label', text: change.key }), renderTextDiff(change.diff, layout, `Output ${change.key}`)]);
    case 'image':
      return imageCompare(change.mime, base && imageUri(base, change.mime), remote && imageUri(remote, change.mime), change.base?.bytes, change.remote?.bytes);
    case 'data': {
      const before = change.base === null ? '' : JSON.stringify(change.base, null, 2);
      const after = change.remote === null ? '' : JSON.stringify(change.remote, null, 2);
      const lines = [...wholeText(before, 'delete').hunks, ...wholeText(after, 'insert').hunks].flatMap((h) => h.lines);
      const diff = { hunks: [{ baseStart: 0, baseCount: splitLines(before).length, remoteStart: 0, remoteCount: splitLines(after).length, lines }], added: 0, removed: 0 };
      return el('div', { className: 'change' }, [el('div', { className: 'change-label', text: change.mime }), renderTextDiff(diff, layout, `Output ${change.mime}`)]);
    }
    case 'error': {
      const rows: Node[] = [el('div', { className: 'change-label', text: 'error' })];
      if (change.ename) rows.push(el('div', { className: 'key-change', text: `ename: ${change.ename.base} → ${change.ename.remote}` }));
      if (change.evalue) rows.push(el('div', { className: 'key-change', text: `evalue: ${change.evalue.base} → ${change.evalue.remote}` }));
      if (change.traceback) rows.push(renderTextDiff(change.traceback, layout, 'Traceback'));
      return el('div', { className: 'change' }, rows);
    }
    case 'executionCount':
      return el('div', { className: 'key-change', text: `execution count: ${change.base ?? '—'} → ${change.remote ?? '—'}` });
    case 'metadata':
      return renderKeyChanges(change.changes, 'output metadata');
  }
}

export function renderKeyChanges(changes: readonly KeyChange[], what: string): HTMLElement {
  return el(
    'ul',
    { className: 'key-changes', attrs: { 'aria-label': what } },
    changes.map((c) => {
      const key = `${what}.${c.path.join('.')}`;
      const text =
        c.op === 'added' ? `added ${key} = ${json(c.remote)}` : c.op === 'removed' ? `removed ${key} (was ${json(c.base)})` : `changed ${key}: ${json(c.base)} → ${json(c.remote)}`;
      return el('li', { className: `key-change ${c.op}`, text });
    }),
  );
}

function json(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Base and remote images in three modes; the mode buttons and slider are handled by one delegated listener (imageControls.ts). */
function imageCompare(mime: string, base: string | undefined, remote: string | undefined, baseBytes?: number, remoteBytes?: number): HTMLElement {
  if (!base || !remote) {
    const figures = [base && imageFigure(base, mime, 'base', baseBytes), remote && imageFigure(remote, mime, 'remote', remoteBytes)].filter((f): f is HTMLElement => !!f);
    return el('div', { className: 'change images' }, figures.length ? figures : [el('p', { className: 'muted', text: `${mime} changed (image data not available)` })]);
  }
  const modes = el('div', { className: 'image-modes', attrs: { role: 'group', 'aria-label': 'Compare images' } }, [
    modeButton('side', 'Side by side', true),
    modeButton('swipe', 'Swipe', false),
    modeButton('onion', 'Onion skin', false),
  ]);
  const stack = el('div', { className: 'image-stack' }, [
    el('img', { className: 'stack-base', attrs: { src: base, alt: `base ${mime}` } }),
    el('img', { className: 'stack-remote', attrs: { src: remote, alt: `remote ${mime}` } }),
  ]);
  const slider = el('input', { className: 'image-slider', attrs: { type: 'range', min: '0', max: '100', value: '50', 'aria-label': 'Compare position' } });
  return el('div', { className: 'change image-compare', attrs: { 'data-mode': 'side' } }, [
    modes,
    el('div', { className: 'images image-pair' }, [imageFigure(base, mime, 'base', baseBytes), imageFigure(remote, mime, 'remote', remoteBytes)]),
    el('div', { className: 'image-overlay' }, [stack, slider]),
  ]);
}

function modeButton(mode: string, label: string, pressed: boolean): HTMLElement {
  return el('button', { className: 'image-mode', text: label, attrs: { type: 'button', 'data-image-mode': mode, 'aria-pressed': String(pressed) } });
}

function imageFigure(uri: string, mime: string, side: 'base' | 'remote', bytes?: number): HTMLElement {
  const caption = `${side}${bytes === undefined ? '' : ` · ${bytes.toLocaleString('en')} bytes`}`;
  return el('figure', { className: `image ${side}` }, [el('img', { attrs: { src: uri, alt: `${side} ${mime}` } }), el('figcaption', { text: caption })]);
}

function imagesOf(out: CellOutput): { mime: string; uri: string }[] {
  return IMAGE_MIMES.flatMap((mime) => {
    const uri = imageUri(out, mime);
    return uri ? [{ mime, uri }] : [];
  });
}

/** A data: URI for an image in the output's mime bundle (base64 kept to its alphabet; SVG text encoded). */
export function imageUri(out: CellOutput, mime: string): string | undefined {
  if (out.outputType !== 'display_data' && out.outputType !== 'execute_result') return undefined;
  const value = out.data[mime];
  if (typeof value !== 'string') return undefined;
  if (mime === 'image/svg+xml') return `data:image/svg+xml;base64,${utf8Base64(value)}`;
  return `data:${mime};base64,${value.replace(/[^A-Za-z0-9+/=]/g, '')}`;
}

function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The text a person would read in an output: stream text, text/plain (else JSON), or the error. */
function textOf(out: CellOutput): string {
  switch (out.outputType) {
    case 'stream':
      return out.text;
    case 'execute_result':
    case 'display_data': {
      const plain = out.data['text/plain'];
      if (typeof plain === 'string') return plain;
      const first = Object.entries(out.data).find(([mime]) => !mime.startsWith('image/'));
      return first ? (typeof first[1] === 'string' ? first[1] : JSON.stringify(first[1], null, 2)) : '';
    }
    case 'error':
      // eslint-disable-next-line no-control-regex -- tracebacks carry ANSI colour codes
      return [`${out.ename}: ${out.evalue}`, ...out.traceback.map((t) => t.replace(/\u001b\[[0-9;]*m/g, ''))].join('\n');
    case 'other':
      return JSON.stringify(out.raw, null, 2);
  }
}
