// The observation record and data.json are read from disk and artifacts: under arbitrary lines
// (valid JSON of the wrong shape included; the bootstrap's opened and filter lines among them) the
// readers never throw, count what they skip, each read is named once and only as the record named
// it (an opened path resolved against its working directory), the filter's cap bounds the opened
// reads, and the summary holds paths made relative to the working directory.
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { parseDataRecord } from '../../../src/core/data/dataRecord.ts';
import { parseObservationLog, relativeDataPath, summarizeObservation } from '../../../src/core/data/observedRecord.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

const cwd = '/work/project';
const paths = fc.constantFrom('/work/project/a.csv', '/work/project/d/x.parquet', '/work/project/d', '/elsewhere/b.csv', 'relative.csv', '', '/work', '/');
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), paths);
const prefixes = fc.array(fc.constantFrom('/work/', '/work/project/', '/elsewhere/', '/', '', 7), { maxLength: 3 });
const line = fc.oneof(
  fc.record({ t: fc.constantFrom('read', 'write', 'list', 'dir', 'hash', 'capped', 'end', 'other'), path: paths, size: value, mtime: value, sha256: value, mtimeNs: value, ino: value, partial: value, error: value, max: value }, { requiredKeys: ['t'] }).map((o) => JSON.stringify(o)),
  // The bootstrap's exit lines: paths as the program gave them (NUL-joined) by working directory, and its filter.
  fc.record({ t: fc.constant('opened'), cwd: fc.oneof(paths, value), joined: fc.oneof(fc.array(fc.oneof(paths, fc.constantFrom('a.csv', '../b.csv', 'd/../x', './y')), { maxLength: 6 }).map((a) => a.join('\0')), value) }, { requiredKeys: ['t'] }).map((o) => JSON.stringify(o)),
  fc.record({ t: fc.constant('filter'), interpreter: prefixes, system: prefixes, project: fc.oneof(paths, value), skipParts: fc.array(fc.constantFrom('/.git/', '/d/', 3), { maxLength: 2 }), code: fc.array(paths, { maxLength: 2 }), maxPaths: fc.oneof(fc.integer({ min: 0, max: 4 }), value) }, { requiredKeys: ['t'] }).map((o) => JSON.stringify(o)),
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
      // A path the record held: a line's `path`, or one an opened line gave, resolved against its working directory.
      const named = new Set(lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as { t?: unknown; path?: unknown; cwd?: unknown; joined?: unknown };
          if (v?.t === 'opened' && typeof v.cwd === 'string' && path.isAbsolute(v.cwd) && typeof v.joined === 'string') {
            const cwdOf = v.cwd;
            return v.joined.split('\0').filter((g) => g !== '').map((g) => path.resolve(cwdOf, g));
          }
          return typeof v?.path === 'string' ? [v.path] : [];
        } catch {
          return [];
        }
      }));
      for (const r of log.reads) assert.ok(path.isAbsolute(r.path) && named.has(r.path), r.path);
      // The last filter line's cap bounds the opened reads (each counted once).
      const filters = lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as { t?: unknown; maxPaths?: unknown } | null;
          return v !== null && typeof v === 'object' && !Array.isArray(v) && v.t === 'filter' ? [v.maxPaths] : [];
        } catch {
          return [];
        }
      });
      const cap = filters.at(-1);
      assert.equal(new Set(log.reads.map((r) => r.path)).size, log.reads.length);
      if (Number.isSafeInteger(cap) && (cap as number) > 0 && !lines.some((l) => l.includes('"t":"read"'))) assert.ok(log.reads.length <= (cap as number), `${log.reads.length} reads over the cap ${String(cap)}`);
      const summary = summarizeObservation(log, { cwd, exclude: ['*.tmp'] });
      for (const e of summary.inputs) assert.ok([...named].some((p) => relativeDataPath(cwd, p) === e.path), e.path);
      const record = parseDataRecord(JSON.stringify({ version: 1, cwd, inputs: lines.map((l) => { try { return JSON.parse(l) as unknown; } catch { return l; } }), outputs: [], notes: lines }));
      for (const e of record?.inputs ?? []) assert.ok(typeof e.path === 'string' && Array.isArray(e.found));
    });
  });
});
