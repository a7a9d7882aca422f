// The diff model as text for a terminal or a pager: unified-diff style, one header per changed
// cell, runs of unchanged cells collapsed, ANSI colours optional. Notebook content is printed with
// control characters made visible, so a notebook cannot drive the terminal.
import type { CellDiff, DiffLine, ImageRef, KeyChange, NotebookDiff, OutputChange, OutputDiff, OutputSummary, TextDiff } from './model.ts';

export interface RenderOptions {
  color: boolean;
  /** Lines of an output's text diff shown before "… N more lines". */
  maxOutputLines?: number;
}

interface Style {
  header: (s: string) => string;
  hunk: (s: string) => string;
  del: (s: string) => string;
  ins: (s: string) => string;
  delSpan: (s: string) => string;
  insSpan: (s: string) => string;
  dim: (s: string) => string;
}

const sgr = (open: string, close: string) => (s: string) => (s === '' ? s : `\x1b[${open}m${s}\x1b[${close}m`);
const ANSI_STYLE: Style = {
  header: sgr('1;36', '0'),
  hunk: sgr('36', '39'),
  del: sgr('31', '39'),
  ins: sgr('32', '39'),
  delSpan: sgr('1;41;97', '0;31'),
  insSpan: sgr('1;42;97', '0;32'),
  dim: sgr('2', '22'),
};
const identity = (s: string) => s;
const PLAIN: Style = { header: identity, hunk: identity, del: identity, ins: identity, delSpan: identity, insSpan: identity, dim: identity };

export function renderText(diff: NotebookDiff, options: RenderOptions): string {
  const style = options.color ? ANSI_STYLE : PLAIN;
  const maxOutputLines = options.maxOutputLines ?? 20;
  const out: string[] = [];
  const formats = diff.base.nbformat === diff.remote.nbformat ? '' : ` (nbformat ${diff.base.nbformat} → ${diff.remote.nbformat})`;
  out.push(style.header(`labbook diff ${visible(diff.base.name)} ${visible(diff.remote.name)}${formats}`));
  let unchanged = 0;
  const flushUnchanged = () => {
    if (unchanged) out.push(style.dim(`… ${unchanged} unchanged cell${unchanged === 1 ? '' : 's'} …`));
    unchanged = 0;
  };
  for (const cell of diff.cells) {
    if (cell.kind === 'unchanged') {
      unchanged++;
      continue;
    }
    flushUnchanged();
    out.push(style.header(cellHeader(cell)));
    renderCell(cell, out, style, maxOutputLines);
  }
  flushUnchanged();
  if (diff.metadata.length) {
    out.push(style.header('## notebook metadata'));
    for (const change of diff.metadata) out.push(keyChange(change, '', style));
  }
  out.push(style.dim(summaryLine(diff)));
  return `${out.join('\n')}\n`;
}

/** e.g. `## modified cell 3 → 4 [code]` (1-based positions: base → remote). */
export function cellHeader(cell: CellDiff): string {
  const at = (n: number | null) => (n === null ? '?' : String(n + 1));
  const where = cell.kind === 'added' ? at(cell.remoteIndex) : cell.kind === 'removed' ? at(cell.baseIndex) : `${at(cell.baseIndex)} → ${at(cell.remoteIndex)}`;
  const edited = cell.kind === 'moved' && (cell.source || cell.outputs || cell.metadata || cell.attachments || cell.executionCount) ? ' (and modified)' : '';
  return `## ${cell.kind} cell ${where} [${cell.cellType}]${edited}`;
}

function renderCell(cell: CellDiff, out: string[], style: Style, maxOutputLines: number): void {
  if (cell.source) renderTextDiff(cell.source, out, style, '', cell.kind === 'modified' || cell.kind === 'moved', Number.POSITIVE_INFINITY);
  if (cell.executionCount) out.push(`  execution count: ${cell.executionCount.base ?? '-'} → ${cell.executionCount.remote ?? '-'}`);
  if (cell.metadata?.length) {
    out.push('  metadata:');
    for (const change of cell.metadata) out.push(keyChange(change, '    ', style));
  }
  if (cell.attachments?.length) {
    out.push('  attachments:');
    for (const change of cell.attachments) out.push(keyChange(change, '    ', style));
  }
  if (cell.outputs?.some((o) => o.op !== 'unchanged')) {
    out.push('  outputs:');
    for (const output of cell.outputs) renderOutput(output, out, style, maxOutputLines);
  }
}

function renderTextDiff(diff: TextDiff, out: string[], style: Style, indent: string, withHunkHeaders: boolean, maxLines: number): void {
  let shown = 0;
  const total = diff.hunks.reduce((n, h) => n + h.lines.length, 0);
  for (const hunk of diff.hunks) {
    if (withHunkHeaders) {
      out.push(indent + style.hunk(`@@ -${rangeText(hunk.baseStart, hunk.baseCount)} +${rangeText(hunk.remoteStart, hunk.remoteCount)} @@`));
    }
    for (const line of hunk.lines) {
      if (shown >= maxLines) {
        out.push(indent + style.dim(`… ${total - shown} more lines`));
        return;
      }
      out.push(indent + diffLine(line, style));
      shown++;
    }
  }
}

function rangeText(start: number, count: number): string {
  // Unified-diff convention: 1-based start, and an empty range names the line before it.
  return count === 1 ? String(start + 1) : `${count === 0 ? start : start + 1},${count}`;
}

function diffLine(line: DiffLine, style: Style): string {
  const text = visible(line.text);
  if (line.op === 'context') return ` ${text}`;
  const whole = line.op === 'delete' ? style.del : style.ins;
  const span = line.op === 'delete' ? style.delSpan : style.insSpan;
  const sign = line.op === 'delete' ? '-' : '+';
  if (!line.spans?.length || style === PLAIN) return whole(sign + text);
  let result = '';
  let at = 0;
  for (const [start, end] of line.spans) {
    result += text.slice(at, start) + span(text.slice(start, end));
    at = end;
  }
  return whole(sign + result + text.slice(at));
}

function renderOutput(output: OutputDiff, out: string[], style: Style, maxLines: number): void {
  const n = (i: number | null) => (i === null ? '?' : String(i + 1));
  switch (output.op) {
    case 'unchanged':
      return;
    case 'added':
      out.push(style.ins(`  + output ${n(output.remoteIndex)} ${describe(output.remote)}`));
      return;
    case 'removed':
      out.push(style.del(`  - output ${n(output.baseIndex)} ${describe(output.base)}`));
      return;
    case 'modified':
      out.push(`  ~ output ${output.baseIndex === output.remoteIndex ? n(output.remoteIndex) : `${n(output.baseIndex)} → ${n(output.remoteIndex)}`} (${kindOf(output.remote)})`);
      for (const change of output.changes ?? []) renderOutputChange(change, out, style, maxLines);
  }
}

function renderOutputChange(change: OutputChange, out: string[], style: Style, maxLines: number): void {
  switch (change.part) {
    case 'text':
      out.push(`    ${change.key}:`);
      renderTextDiff(change.diff, out, style, '      ', false, maxLines);
      return;
    case 'image':
      out.push(`    ${change.mime}: ${imageContent(change.base)} → ${imageContent(change.remote)}`);
      return;
    case 'data':
      out.push(`    ${change.mime}: ${value(change.base)} → ${value(change.remote)}`);
      return;
    case 'error':
      if (change.ename) out.push(`    ename: ${visible(change.ename.base)} → ${visible(change.ename.remote)}`);
      if (change.evalue) out.push(`    evalue: ${visible(change.evalue.base)} → ${visible(change.evalue.remote)}`);
      if (change.traceback) {
        out.push('    traceback:');
        renderTextDiff(change.traceback, out, style, '      ', false, maxLines);
      }
      return;
    case 'executionCount':
      out.push(`    execution count: ${change.base ?? '-'} → ${change.remote ?? '-'}`);
      return;
    case 'metadata':
      out.push('    metadata:');
      for (const c of change.changes) out.push(keyChange(c, '      ', style));
  }
}

function kindOf(summary: OutputSummary | undefined): string {
  if (!summary) return 'output';
  return summary.name ? `${summary.outputType} ${summary.name}` : summary.outputType;
}

function describe(summary: OutputSummary | undefined): string {
  if (!summary) return '';
  const parts = [`(${kindOf(summary)})`];
  if (summary.images?.length) parts.push(summary.images.map(image).join(', '));
  else if (summary.mimeTypes.length) parts.push(summary.mimeTypes.join(', '));
  const first = summary.preview?.split('\n')[0];
  if (first) parts.push(JSON.stringify(visible(first)));
  return parts.join(' ');
}

function image(ref: ImageRef | null): string {
  return ref ? `${ref.mime} ${imageContent(ref)}` : '(none)';
}

/** An image by the start of its content hash and its size: enough to tell two apart. */
function imageContent(ref: ImageRef | null): string {
  if (!ref) return '(none)';
  const size = ref.bytes < 1024 ? `${ref.bytes} B` : `${(ref.bytes / 1024).toFixed(1)} kB`;
  return `${ref.hash.slice(0, 8)} (${size})`;
}

function keyChange(change: KeyChange, indent: string, style: Style): string {
  const key = visible(change.path.join('.'));
  switch (change.op) {
    case 'added':
      return indent + style.ins(`+ ${key}: ${value(change.remote)}`);
    case 'removed':
      return indent + style.del(`- ${key}: ${value(change.base)}`);
    case 'changed':
      return `${indent}~ ${key}: ${value(change.base)} → ${value(change.remote)}`;
  }
}

function value(v: unknown): string {
  const text = v === undefined ? '(none)' : JSON.stringify(v);
  return visible(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

function summaryLine(diff: NotebookDiff): string {
  const s = diff.stats;
  if (!s.hasChanges) {
    const hidden = s.outputOnlyChangesHidden ? `; ${s.outputOnlyChangesHidden} cell${s.outputOnlyChangesHidden === 1 ? '' : 's'} with output-only changes hidden (--show-outputs)` : '';
    return `no differences${hidden}`;
  }
  const parts = [
    s.modified && `${s.modified} modified`,
    s.added && `${s.added} added`,
    s.removed && `${s.removed} removed`,
    s.moved && `${s.moved} moved`,
    `${s.unchanged} unchanged`,
  ].filter(Boolean);
  const hidden = s.outputOnlyChangesHidden ? ` (${s.outputOnlyChangesHidden} cell${s.outputOnlyChangesHidden === 1 ? '' : 's'} with output-only changes hidden: --show-outputs)` : '';
  return `${parts.join(', ')}${hidden}`;
}

/** Control characters shown as their Unicode control pictures (same length, so spans still line up). */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r$/, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))));
}
