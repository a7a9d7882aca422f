// Drift sides handed from outside the type system: VS Code calls Explorer menu commands as
// (uri, selectedUris[]), so a command's "reference" argument can be an array of Uris, and a
// saved state can hold anything. The check the commands use refuses those, and the core names
// an unknown kind in a clear error instead of failing later on an undefined table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveDriftSource, type DriftSource } from '../../../src/core/drift/driftSources.ts';
import { readTable } from '../../../src/core/profile/readTable.ts';
import { driftSideRef } from '../../../src/protocol/drift.ts';
import { conforms } from '../../../src/protocol/requests.ts';

describe('drift sides given as arguments', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-args-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a file, a run or an alias, and refuses a selection of Uris or a partial side', () => {
    assert.equal(conforms(driftSideRef, { kind: 'file', path: '/data/today.csv' }), true);
    assert.equal(conforms(driftSideRef, { kind: 'run', runId: 'abc' }), true);
    assert.equal(conforms(driftSideRef, { kind: 'alias', model: 'm', alias: 'champion' }), true);
    // What the Explorer passes second: the selected resources (Uri-like objects).
    const uri = { scheme: 'file', authority: '', path: '/w/today.csv', query: '', fragment: '', fsPath: '/w/today.csv' };
    assert.equal(conforms(driftSideRef, [uri]), false);
    assert.equal(conforms(driftSideRef, uri), false);
    assert.equal(conforms(driftSideRef, { kind: 'run' }), false);
    assert.equal(conforms(driftSideRef, { kind: 'alias', model: 'm' }), false);
    assert.equal(conforms(driftSideRef, null), false);
  });

  it('answers a side of no known kind with an error naming it', async () => {
    const deps = { cwd: dir, readTable: (file: string) => readTable(file) };
    await assert.rejects(resolveDriftSource([{ scheme: 'file' }] as unknown as DriftSource, deps), /a drift side must be a file, a run or a model alias/);
    await assert.rejects(resolveDriftSource({ kind: 'folder', path: dir } as unknown as DriftSource, deps), /not "folder"/);
  });
});
