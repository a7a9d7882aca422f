// A line diff (source, text outputs) as a grid of text cells: inline (one column, +/− signs) or
// side by side (base left, remote right, derived from the hunk lines). Everything is text nodes.
import type { DiffLayout } from '../../src/protocol/notebookDiff.ts';
import type { DiffLine, Hunk, Span, TextDiff } from './types.ts';
import { el } from '../shared/dom.ts';

type Op = DiffLine['op'];

interface SideLine {
  no: number;
  line: DiffLine;
}

export function renderTextDiff(diff: TextDiff, layout: DiffLayout, label: string): HTMLElement {
  const grid = el('div', { className: `diff ${layout === 'sideBySide' ? 'side-by-side' : 'inline'}`, attrs: { role: 'group', 'aria-label': label } });
  diff.hunks.forEach((hunk, i) => {
    if (diff.hunks.length > 1 || i > 0 || hunk.baseStart > 0 || hunk.remoteStart > 0) grid.append(hunkHeader(hunk));
    if (layout === 'sideBySide') sideBySide(grid, hunk);
    else inline(grid, hunk);
  });
  return grid;
}

/** A whole text on one side: every line inserted (added output) or deleted (removed output). */
export function wholeText(text: string, op: 'insert' | 'delete'): TextDiff {
  const lines = splitLines(text).map((line) => ({ op, text: line }));
  const count = lines.length;
  return {
    hunks: count ? [{ baseStart: 0, baseCount: op === 'delete' ? count : 0, remoteStart: 0, remoteCount: op === 'insert' ? count : 0, lines }] : [],
    added: op === 'insert' ? count : 0,
    removed: op === 'delete' ? count : 0,
  };
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function hunkHeader(hunk: Hunk): HTMLElement {
  const text = `@@ -${hunk.baseStart + 1},${hunk.baseCount} +${hunk.remoteStart + 1},${hunk.remoteCount} @@`;
  return el('div', { className: 'hunk-header', text });
}

function inline(grid: HTMLElement, hunk: Hunk): void {
  let b = hunk.baseStart;
  let r = hunk.remoteStart;
  for (const line of hunk.lines) {
    const baseNo = line.op === 'insert' ? '' : String(++b);
    const remoteNo = line.op === 'delete' ? '' : String(++r);
    const cls = opClass(line.op);
    grid.append(
      el('span', { className: `ln ${cls}`, text: baseNo, attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: `ln ${cls}`, text: remoteNo, attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: `sign ${cls}`, text: sign(line.op), attrs: { 'aria-hidden': 'true' } }),
      textCell(line, cls),
    );
  }
}

function sideBySide(grid: HTMLElement, hunk: Hunk): void {
  let b = hunk.baseStart;
  let r = hunk.remoteStart;
  let deletes: SideLine[] = [];
  let inserts: SideLine[] = [];
  // A run of deletes and the inserts after it are one change: pair them row by row.
  const flush = () => {
    for (let i = 0; i < Math.max(deletes.length, inserts.length); i++) row(grid, deletes[i], inserts[i]);
    deletes = [];
    inserts = [];
  };
  for (const line of hunk.lines) {
    if (line.op === 'delete') deletes.push({ no: ++b, line });
    else if (line.op === 'insert') inserts.push({ no: ++r, line });
    else {
      flush();
      row(grid, { no: ++b, line }, { no: ++r, line });
    }
  }
  flush();
}

function row(grid: HTMLElement, left: SideLine | undefined, right: SideLine | undefined): void {
  for (const side of [left, right]) {
    if (!side) {
      grid.append(el('span', { className: 'ln empty', attrs: { 'aria-hidden': 'true' } }), el('span', { className: 'text empty' }));
      continue;
    }
    const cls = opClass(side.line.op);
    grid.append(el('span', { className: `ln ${cls}`, text: String(side.no), attrs: { 'aria-hidden': 'true' } }), textCell(side.line, cls));
  }
}

function textCell(line: DiffLine, cls: string): HTMLElement {
  const cell = el('span', { className: `text ${cls}` });
  if (line.op !== 'context') cell.setAttribute('aria-label', `${line.op === 'insert' ? 'added' : 'removed'}: ${line.text}`);
  appendWithSpans(cell, line.text, line.op === 'context' ? undefined : line.spans);
  return cell;
}

/** The line's text with each differing [start, end) range wrapped in a <mark>, all as text nodes. */
export function appendWithSpans(parent: HTMLElement, text: string, spans: readonly Span[] | undefined): void {
  if (!spans || spans.length === 0) {
    parent.append(text);
    return;
  }
  let at = 0;
  for (const [rawStart, rawEnd] of [...spans].sort((x, y) => x[0] - y[0])) {
    const start = Math.max(at, Math.min(rawStart, text.length));
    const end = Math.max(start, Math.min(rawEnd, text.length));
    if (start > at) parent.append(text.slice(at, start));
    if (end > start) parent.append(el('mark', { className: 'hl', text: text.slice(start, end) }));
    at = end;
  }
  if (at < text.length) parent.append(text.slice(at));
}

function opClass(op: Op): string {
  return op === 'insert' ? 'ins' : op === 'delete' ? 'del' : 'ctx';
}

function sign(op: Op): string {
  return op === 'insert' ? '+' : op === 'delete' ? '−' : ' ';
}
