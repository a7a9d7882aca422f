// The Environment tab (environment.json as facts, requirements.txt as a list) and the Data tab
// (the files the run read and wrote, observed or declared, and MLflow datasets; older runs: the
// fingerprints of the declared data files).
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';
import { formatBytes, formatTime } from './format.ts';
import { profilesSection } from './dataProfile.ts';
import { textTable } from './table.ts';
import type { DataFileRow } from '../../src/protocol/runDetails.ts';

export interface Loader {
  load(): Promise<void>;
}

function problemsOf(problems: readonly string[]): Node[] {
  return problems.map((p) => el('p', { className: 'error', text: p }));
}

export function buildEnvironment(ctx: Ctx, panel: HTMLElement): Loader {
  return {
    async load(): Promise<void> {
      panel.setAttribute('aria-busy', 'true');
      try {
        const env = await ctx.rpc.request('getEnvironment', null);
        const parts: Node[] = [...problemsOf(env.problems), el('h2', { text: 'Environment' })];
        parts.push(
          env.facts
            ? el('dl', { className: 'facts', attrs: { 'data-testid': 'environment' } }, env.facts.flatMap((f) => [el('dt', { text: f.key }), el('dd', { text: f.value })]))
            : el('p', { className: 'muted empty', text: 'No environment was recorded (labbook/environment/environment.json): the run was not launched by Labbook.' }),
        );
        parts.push(el('h2', { text: 'Requirements' }));
        if (env.requirements === null) parts.push(el('p', { className: 'muted empty', text: 'No requirements were recorded (labbook/environment/requirements.txt).' }));
        else if (env.requirements.length === 0) parts.push(el('p', { className: 'muted empty', text: 'requirements.txt lists no packages.' }));
        else parts.push(el('ul', { className: 'requirements mono', attrs: { 'data-testid': 'requirements' } }, env.requirements.map((r) => el('li', { text: r }))));
        panel.replaceChildren(...parts);
      } catch (err) {
        panel.replaceChildren(el('p', { className: 'error', text: errorText('read the environment', err), attrs: { role: 'alert' } }));
      }
      panel.setAttribute('aria-busy', 'false');
    },
  };
}

export function buildData(ctx: Ctx, panel: HTMLElement): Loader {
  return {
    async load(): Promise<void> {
      panel.setAttribute('aria-busy', 'true');
      try {
        const data = await ctx.rpc.request('getFingerprints', null);
        // Drift of this run's data against another run, a model alias's training data or a file.
        const compare = el('button', { text: 'Compare Data with…', attrs: { type: 'button', 'data-action': 'compare-data', title: 'Compare this run’s data with another run, a model alias’s training data or a file' } });
        compare.addEventListener('click', () => void ctx.rpc.request('compareDataWith', null).catch((err: unknown) => panel.prepend(el('p', { className: 'error', text: errorText('compare the data', err), attrs: { role: 'alert' } }))));
        const parts: Node[] = [el('div', { className: 'data-actions' }, [compare]), ...problemsOf(data.problems)];
        if (data.files) {
          // Observed and declared files (declared ones are among the inputs), and MLflow datasets.
          const rowsOf = (files: readonly DataFileRow[]) => files.map((f) => [f.path, f.kind, formatBytes(f.size), f.mtime ? formatTime(f.mtime) : '', f.hash ?? '', f.found, f.note ?? '']);
          const head = ['Path', 'Kind', 'Size', 'Modified', 'Hash', 'Found', 'Note'];
          parts.push(el('h2', { text: 'Inputs' }));
          if (data.files.inputs.length === 0) parts.push(el('p', { className: 'muted empty', text: 'The run read no data files.' }));
          else parts.push(el('div', { className: 'table-scroll' }, [textTable(head, rowsOf(data.files.inputs), { 'data-testid': 'data-inputs' })]));
          parts.push(el('h2', { text: 'Outputs' }));
          if (data.files.outputs.length === 0) parts.push(el('p', { className: 'muted empty', text: 'The run wrote no data files.' }));
          else parts.push(el('div', { className: 'table-scroll' }, [textTable(head, rowsOf(data.files.outputs), { 'data-testid': 'data-outputs' })]));
        } else if (data.fingerprints === null) {
          if (!data.profiles) parts.push(el('p', { className: 'muted empty', text: 'No data fingerprints were recorded (labbook/data/fingerprints.json).' }));
        } else if (data.fingerprints.length === 0) parts.push(el('p', { className: 'muted empty', text: 'The run recorded no data files.' }));
        else {
          const rows = data.fingerprints.map((f) => [f.path, f.kind, formatBytes(f.size), f.mtime ? formatTime(f.mtime) : '', f.sha256 ?? '', f.dvcMd5 ?? '', f.note ?? '']);
          parts.push(el('div', { className: 'table-scroll' }, [textTable(['Path', 'Kind', 'Size', 'Modified', 'SHA-256', 'DVC md5', 'Note'], rows, { 'data-testid': 'fingerprints' })]));
          if (data.combined) parts.push(el('p', { className: 'muted', text: `Combined fingerprint: ${data.combined}`, attrs: { 'data-testid': 'combined' } }));
        }
        parts.push(...profilesSection(data.profiles));
        panel.replaceChildren(...parts);
      } catch (err) {
        panel.replaceChildren(el('p', { className: 'error', text: errorText('read the data fingerprints', err), attrs: { role: 'alert' } }));
      }
      panel.setAttribute('aria-busy', 'false');
    },
  };
}
