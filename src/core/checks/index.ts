// The data checks: read `.labbook/checks.yaml`, run it, and print the results (CLI, output channel).
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../shared/errorMessage.ts';
import { parseChecks } from './checksFile.ts';
import { runChecks, type CheckEngine, type CheckRun, type CheckSelection } from './runChecks.ts';
import { summarize, type CheckResult } from './types.ts';

export { CHECKS_FILE, parseChecks } from './checksFile.ts';
export { runChecks, type CheckEngine, type CheckRun, type CheckSelection } from './runChecks.ts';
export { summarize, type CheckResult, type CheckStatus, type CheckSummary, type SourceRange } from './types.ts';

/** Reads, validates and runs a checks file; the file's own problems come back as error results. */
export async function checkWithFile(checksFile: string, engine: CheckEngine, root: string, selection: CheckSelection): Promise<CheckRun> {
  let text: string;
  try {
    text = await readFile(checksFile, 'utf8');
  } catch (err) {
    const range = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 1 };
    return { results: [{ rule: 'schema', status: 'error', message: `the checks file could not be read: ${errorMessage(err)}`, range }], notes: [], files: [] };
  }
  return checkText(text, engine, root, selection);
}

export async function checkText(text: string, engine: CheckEngine, root: string, selection: CheckSelection): Promise<CheckRun> {
  const parsed = parseChecks(text);
  if (!parsed.spec) return { results: parsed.problems, notes: [], files: [] };
  return runChecks(parsed.spec, engine, root, selection);
}

const LABEL = { pass: 'PASS ', fail: 'FAIL ', error: 'ERROR' } as const;

/** One line per result, `checksFile:line` so terminals link to the rule; then the notes and a summary. */
export function formatCheckRun(run: CheckRun, checksFile: string, options: { failuresOnly?: boolean } = {}): string {
  const lines: string[] = [];
  const shown: CheckResult[] = options.failuresOnly ? run.results.filter((r) => r.status !== 'pass') : [...run.results];
  for (const r of shown) {
    const where = r.file && r.file !== r.dataset ? `${r.dataset} (${r.file})` : (r.dataset ?? 'checks file');
    lines.push(`${LABEL[r.status]}  ${where}: ${r.message}  [${checksFile}:${r.range.startLine + 1}]`);
  }
  for (const note of run.notes) lines.push(`note   ${note}`);
  const s = summarize(run.results);
  lines.push(`${s.passed} passed, ${s.failed} failed, ${s.errors} error${s.errors === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
