// Text shown as text: plain blocks, and unified diffs coloured by line (added, removed, hunk, file).
import { el } from '../shared/dom.ts';

export function plainText(text: string, testId?: string): HTMLElement {
  return el('pre', { className: 'text-view', text, attrs: testId ? { 'data-testid': testId, tabindex: '0' } : { tabindex: '0' } });
}

export function diffLineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'ins';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}

/** A unified diff, one element per line, classed by what the line is. */
export function diffText(text: string, testId?: string): HTMLElement {
  const lines = text.replace(/\n$/, '').split('\n');
  return el(
    'pre',
    { className: 'text-view diff-view', attrs: testId ? { 'data-testid': testId, tabindex: '0' } : { tabindex: '0' } },
    lines.map((line) => el('span', { className: `line ${diffLineClass(line)}`, text: `${line}\n` })),
  );
}
