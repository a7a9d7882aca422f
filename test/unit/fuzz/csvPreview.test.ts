// The artifact preview (CSV above all) under arbitrary bytes: it never throws and stays within its
// bounds, and any table written as RFC 4180 reads back exactly.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { previewBytes, type PreviewLimits } from '../../../src/core/runDetails/artifactPreview.ts';
import { guessDelimiter, parseCsv } from '../../../src/core/runDetails/csv.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from './fuzzing.ts';

const LIMITS: PreviewLimits = { textBytes: 2048, csvRows: 20, imageBytes: 1024, readBytes: 1 << 20 };
const NAMES = ['metrics.csv', 'table.tsv', 'data.tab', 'report.json', 'notes.txt', 'model.pkl', 'plot.png', 'README', 'noext'];

const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', ';', '\t', '|', '"', '\n', '\r', 'é', '\u{1F600}', '\ufeff'), maxLength: 8 });
const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

function writeCsv(rows: readonly (readonly string[])[], delimiter: string, lineBreak: string): string {
  return rows.map((row) => row.map((field) => `"${field.replaceAll('"', '""')}"`).join(delimiter)).join(lineBreak) + lineBreak;
}

describe('fuzz: the CSV preview', function () {
  this.timeout(60_000);

  const roundTrip = fuzzRuns(1000);
  it(fuzzTitle('reads back any table written as RFC 4180, with any delimiter and line break', roundTrip), () => {
    const input = fc.tuple(table, fc.constantFrom(',', ';', '\t', '|'), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 10 }));
    checkProperty(input, roundTrip, ([rows, delimiter, lineBreak, maxRows]) => {
      assert.deepEqual(parseCsv(writeCsv(rows, delimiter, lineBreak), { delimiter }).rows, rows);
      const bounded = parseCsv(writeCsv(rows, delimiter, lineBreak), { delimiter, maxRows });
      assert.deepEqual(bounded.rows, rows.slice(0, maxRows));
      assert.equal(bounded.truncated, rows.length > maxRows);
    });
  });

  const runs = fuzzRuns(1500);
  it(fuzzTitle('previews arbitrary bytes under any name without throwing, within its limits', runs), () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', '1', ',', ';', '"', '\n', '\r', '\t', '{', '}', '[', ']', ':', ' ', '\0'), maxLength: 3000 }),
      table.map((rows) => writeCsv(rows, ',', '\n')),
    );
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 3000 }), text.map((t) => new TextEncoder().encode(t)));
    checkProperty(fc.tuple(fc.constantFrom(...NAMES), bytes), runs, ([name, content]) => {
      const preview = previewBytes(`run/artifacts/${name}`, content, LIMITS);
      assert.equal(preview.path, `run/artifacts/${name}`);
      if (preview.kind === 'csv') {
        assert.ok(preview.rows.length <= LIMITS.csvRows, `${preview.rows.length} rows`);
        for (const row of [preview.header, ...preview.rows]) assert.ok(row.every((field) => typeof field === 'string'));
      }
      // At most textBytes bytes decoded (each invalid byte becoming one U+FFFD, three bytes again).
      if (preview.kind === 'text') assert.ok(new TextEncoder().encode(preview.text).length <= LIMITS.textBytes * 3);
      if (preview.kind === 'json') JSON.parse(preview.text);
      if (preview.kind === 'image') assert.ok(content.length <= LIMITS.imageBytes);
      assert.ok([',', ';', '\t', '|'].includes(guessDelimiter(name, new TextDecoder().decode(content))));
    });
  });
});
