// What a Labbook launch recorded, compared across two runs: training data (data.json inputs and
// fingerprints.json, by path and hash; MLflow dataset inputs by name, digest and schema), code
// (commits, branch, dirty tree, snapshot and patch) and environment (pip freeze, Python).
import { codeSide } from '../compare/code.ts';
import { TAGS } from '../launch/conventions.ts';
import { readRunEnvironment, readRunFingerprints } from '../runDetails/launchFiles.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { DatasetInput, Run } from '../store/types.ts';
import { diffFreeze, parseFreeze } from './pipFreeze.ts';
import { diffColumns, readSchema } from './schemaDiff.ts';
import type { CodeFacts, CodeSection, DataFileChange, DataSection, DatasetChange, DatasetFacts, EnvironmentSection } from './types.ts';
import type { CodeSide } from '../compare/types.ts';

/** Path → hash of a run's Labbook data inputs: data.json's inputs, then fingerprints.json's declared paths. */
async function labbookData(store: ReadableStore, runId: string, notes: string[], label: string): Promise<Map<string, string | null> | null> {
  const read = await readRunFingerprints(store, runId);
  for (const p of read.problems) notes.push(`${label}: ${p}`);
  const files = new Map<string, string | null>();
  for (const row of read.files?.inputs ?? []) if (row.kind !== 'dataset') files.set(row.path, row.hash);
  for (const fp of read.fingerprints ?? []) if (!files.has(fp.path)) files.set(fp.path, fp.sha256 ?? fp.dvcMd5);
  return read.files || read.fingerprints ? files : null;
}

function compareFiles(a: Map<string, string | null>, b: Map<string, string | null>): DataFileChange[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.map((path) => {
    const x = a.has(path) ? (a.get(path) ?? null) : undefined;
    const y = b.has(path) ? (b.get(path) ?? null) : undefined;
    if (x === undefined) return { path, base: null, remote: y ?? null, change: 'added' };
    if (y === undefined) return { path, base: x, remote: null, change: 'removed' };
    if (x === null || y === null) return { path, base: x, remote: y, change: 'unknown' };
    return { path, base: x, remote: y, change: x === y ? 'same' : 'changed' };
  });
}

/** MLflow dataset inputs other clients logged (Labbook's own mirrors of data.json carry labbook.data.found). */
function foreignDatasets(run: Run | null): Map<string, DatasetInput> {
  const out = new Map<string, DatasetInput>();
  for (const d of run?.inputs?.datasetInputs ?? []) if (!d.tags.some((t) => t.key === TAGS.dataFound)) out.set(d.dataset.name, d);
  return out;
}

function factsOf(d: DatasetInput): DatasetFacts {
  return { digest: d.dataset.digest, sourceType: d.dataset.sourceType, source: d.dataset.source, context: d.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null };
}

export function diffDatasets(base: Run | null, remote: Run | null, notes: string[]): DatasetChange[] {
  const a = foreignDatasets(base);
  const b = foreignDatasets(remote);
  return [...new Set([...a.keys(), ...b.keys()])].sort().map((name) => {
    const x = a.get(name);
    const y = b.get(name);
    let schema: DatasetChange['schema'] = null;
    if (x?.dataset.schema && y?.dataset.schema) {
      const sa = readSchema(x.dataset.schema);
      const sb = readSchema(y.dataset.schema);
      if (sa && sb) schema = diffColumns(sa, sb);
      else notes.push(`The schema of dataset '${name}' does not read as MLflow columns on ${sa ? 'the second' : 'the first'} side.`);
    }
    const change = !x ? 'added' : !y ? 'removed' : x.dataset.digest === y.dataset.digest && (schema ?? []).every((c) => c.change === 'same') ? 'same' : 'changed';
    return { name, base: x ? factsOf(x) : null, remote: y ? factsOf(y) : null, change, schema };
  });
}

export async function diffData(store: ReadableStore, sides: readonly [{ run: Run | null; label: string }, { run: Run | null; label: string }]): Promise<DataSection> {
  const notes: string[] = [];
  const [a, b] = await Promise.all(sides.map((s) => (s.run ? labbookData(store, s.run.info.runId, notes, s.label) : Promise.resolve(null))));
  for (const [i, files] of [a, b].entries()) if (files === null && sides[i]?.run) notes.push(`${sides[i].label}: no Labbook data record (labbook/data.json or fingerprints.json).`);
  const files = a || b ? compareFiles(a ?? new Map<string, string | null>(), b ?? new Map<string, string | null>()) : [];
  return { files, datasets: diffDatasets(sides[0].run, sides[1].run, notes), notes };
}

function tag(run: Run, key: string): string | null {
  return run.data.tags.find((t) => t.key === key)?.value || null;
}

function codeFacts(run: Run, side: CodeSide): CodeFacts {
  const dirty = tag(run, TAGS.gitDirty);
  return {
    commit: tag(run, TAGS.gitCommit),
    branch: tag(run, TAGS.gitBranch),
    dirty: dirty === null ? null : dirty === 'true',
    snapshotPath: side.snapshotPath,
    notebook: side.snapshotPath?.endsWith('.ipynb') ?? false,
    hasPatch: side.gitPatch !== null,
  };
}

export async function diffCode(store: ReadableStore, base: Run | null, remote: Run | null, labels: readonly [string, string]): Promise<CodeSection> {
  const notes: string[] = [];
  const [a, b] = await Promise.all([base, remote].map((r) => (r ? codeSide(store, r.info.runId) : Promise.resolve(null))));
  [a, b].forEach((s, i) => {
    for (const n of s?.notes ?? []) notes.push(`${labels[i] ?? ''}: ${n}`);
  });
  const fa = base && a ? codeFacts(base, a) : null;
  const fb = remote && b ? codeFacts(remote, b) : null;
  const short = (c: string) => c.slice(0, 7);
  const range = fa?.commit && fb?.commit ? `${short(fa.commit)}..${short(fb.commit)}` : null;
  const sameCommit = fa?.commit && fb?.commit ? fa.commit === fb.commit : null;
  const bothNotebooks = fa?.notebook && fb?.notebook;
  const snapshotDiffers = bothNotebooks ? null : typeof a?.snapshotText === 'string' && typeof b?.snapshotText === 'string' ? a.snapshotText !== b.snapshotText : null;
  const patchDiffers = a && b && (a.gitPatch !== null || b.gitPatch !== null) ? a.gitPatch !== b.gitPatch : null;
  const notebookPath = bothNotebooks && fa.snapshotPath === fb?.snapshotPath ? fa.snapshotPath : null;
  if (bothNotebooks && notebookPath === null) notes.push('The two runs launched different notebooks; open each from its run.');
  return { base: fa, remote: fb, range, sameCommit, snapshotDiffers, patchDiffers, notebookPath, notes };
}

export async function diffEnvironment(store: ReadableStore, base: Run | null, remote: Run | null, labels: readonly [string, string]): Promise<EnvironmentSection> {
  const notes: string[] = [];
  const [a, b] = await Promise.all([base, remote].map((r) => (r ? readRunEnvironment(store, r.info.runId) : Promise.resolve(null))));
  [a, b].forEach((env, i) => {
    for (const p of env?.problems ?? []) notes.push(`${labels[i] ?? ''}: ${p}`);
    if (env && env.requirements === null) notes.push(`${labels[i] ?? ''}: no pip freeze was recorded.`);
  });
  const fa = a?.requirements ? parseFreeze(a.requirements.join('\n')) : null;
  const fb = b?.requirements ? parseFreeze(b.requirements.join('\n')) : null;
  for (const [i, f] of [fa, fb].entries()) if (f && f.unreadLines > 0) notes.push(`${labels[i] ?? ''}: ${f.unreadLines} line(s) of pip freeze name no package; compared as text.`);
  const python = (run: Run | null) => (run ? tag(run, TAGS.pythonVersion) : null);
  return {
    counts: { base: a?.requirements?.length ?? null, remote: b?.requirements?.length ?? null },
    python: { base: python(base), remote: python(remote) },
    packages: fa && fb ? diffFreeze(fa, fb) : [],
    notes,
  };
}
