// The observation record and data.json are read from disk and artifacts: under arbitrary lines
// (valid JSON of the wrong shape included) the readers never throw, count what they skip, and the
// summary only ever holds absolute paths the record named, made relative to the working directory.
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { parseDataRecord } from '../../../src/core/data/dataRecord.ts';
import { parseObservationLog, relativeDataPath, summarizeObservation } from '../../../src/core/data/observedRecord.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

const cwd = '/work/project';
const paths = fc.constantFrom('/work/project/a.csv', '/work/project/d/x.parquet', '/work/project/d', '/elsewhere/b.csv', 'relative.csv', '', '/work', '/');
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), paths);
const line = fc.oneof(
  fc.record({ t: fc.constantFrom('read', 'write', 'list', 'dir', 'hash', 'capped', 'end', 'other'), path: paths, size: value, mtime: value, sha256: value, mtimeNs: value, ino: value, partial: value, error: value, max: value }, { requiredKeys: ['t'] }).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 2 }),
);

describe('fuzz: the observation record and data.json readers', function () {
  this.timeout(60_000);
  const runs = fuzzRuns(1500);
  it(fuzzTitle('read arbitrary lines without throwing; the summary names only paths the record held', runs), () => {
    checkProperty(fc.array(line, { maxLength: 30 }), runs, (lines) => {
      const text = lines.join('\n');
      const log = parseObservationLog(text);
      const named = new Set(lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as { path?: unknown };
          return typeof v?.path === 'string' ? [v.path] : [];
        } catch {
          return [];
        }
      }));
      for (const r of log.reads) assert.ok(path.isAbsolute(r.path) && named.has(r.path));
      const summary = summarizeObservation(log, { cwd, exclude: ['*.tmp'] });
      for (const e of summary.inputs) assert.ok([...named].some((p) => relativeDataPath(cwd, p) === e.path), e.path);
      const record = parseDataRecord(JSON.stringify({ version: 1, cwd, inputs: lines.map((l) => { try { return JSON.parse(l) as unknown; } catch { return l; } }), outputs: [], notes: lines }));
      for (const e of record?.inputs ?? []) assert.ok(typeof e.path === 'string' && Array.isArray(e.found));
    });
  });
});
