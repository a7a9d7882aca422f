// The parts of a file's runs lens, as plain data (no `vscode`): each part's title and the command
// it runs, so Node tests read exactly what the editor shows and what a click does.
// `12 runs · best accuracy 0.914 (run "rf-300", 2 h ago) · last: FAILED 5 min ago · Compare · Run with Tracking`
import { ARTIFACTS } from '../../core/launch/conventions.ts';
import type { FileRunsSummary } from '../../core/runsInCode/fileRuns.ts';
import { formatAgo, formatNumber } from '../../shared/format.ts';

export type LensPartKind = 'count' | 'best' | 'last' | 'compare' | 'run';

/** The parts in the order shown; the provider makes one lens per part. */
export const LENS_PARTS: readonly LensPartKind[] = ['count', 'best', 'last', 'compare', 'run'];

/** Opens a launched run's output log (`labbook/logs/output.log`); registered with the lens. */
export const OPEN_RUN_LOG_COMMAND = 'labbook.codeLens.openRunLog';

/** A command with JSON-like arguments (the host gives Run with Tracking the file's URI). */
export interface LensCommand {
  readonly title: string;
  readonly tooltip?: string;
  readonly command: string;
  readonly arguments: readonly unknown[];
}

export interface LensContext {
  readonly rootId: string;
  readonly kind: 'script' | 'notebook';
  /** The search filter for the file's runs (the Experiments view's Filter Runs takes it). */
  readonly filter: string;
  readonly now: number;
}

const RUN_NAME_MAX = 24;

function shortName(name: string): string {
  return name.length > RUN_NAME_MAX ? `${name.slice(0, RUN_NAME_MAX - 1)}…` : name;
}

/** The part `kind` of the lens, or undefined when it has nothing to say (no metric, a single run). */
export function lensPart(kind: LensPartKind, summary: FileRunsSummary, context: LensContext): LensCommand | undefined {
  const { rootId } = context;
  const last = summary.recent[0];
  switch (kind) {
    case 'count':
      if (summary.count === 0) return undefined;
      return { title: `${summary.count.toLocaleString('en-US')} ${summary.count === 1 ? 'run' : 'runs'}`, tooltip: 'Show these runs in the Experiments view', command: 'labbook.filterRuns', arguments: [context.filter] };
    case 'best': {
      const best = summary.best;
      if (!best) return undefined;
      const when = formatAgo(best.run.endTime ?? best.run.startTime, context.now);
      return {
        title: `best ${best.metric} ${formatNumber(best.value)} (run "${shortName(best.run.runName)}", ${when})`,
        tooltip: `Open the run with the ${best.direction === 'lower' ? 'lowest' : 'highest'} ${best.metric}`,
        command: 'labbook.openRunDetails',
        arguments: [{ rootId, runId: best.run.runId }],
      };
    }
    case 'last': {
      if (!last) return undefined;
      const title = `last: ${last.status} ${formatAgo(last.endTime ?? last.startTime, context.now)}`;
      // Labbook's launches keep the program's output; other runs open their details.
      if (last.launched) return { title, tooltip: `Open ${ARTIFACTS.outputLog} of "${last.runName}"`, command: OPEN_RUN_LOG_COMMAND, arguments: [{ rootId, runId: last.runId }] };
      return { title, tooltip: `Open "${last.runName}"`, command: 'labbook.openRunDetails', arguments: [{ rootId, runId: last.runId }] };
    }
    case 'compare':
      if (summary.recent.length < 2) return undefined;
      return {
        title: 'Compare',
        tooltip: `Compare the last ${summary.recent.length} runs of this file`,
        command: 'labbook.compareRuns',
        arguments: [undefined, summary.recent.map((r) => ({ rootId, runId: r.runId }))],
      };
    case 'run':
      return context.kind === 'notebook'
        ? { title: 'Run with Tracking', tooltip: 'Run this notebook as a tracked run', command: 'labbook.runNotebook', arguments: [] }
        : { title: 'Run with Tracking', tooltip: 'Run this script as a tracked run', command: 'labbook.runPythonFile', arguments: [] };
  }
}
