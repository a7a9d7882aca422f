// Stale marks: a data node's file or folder fingerprinted now against what the run recorded, and
// everything downstream of a changed input marked, over real files in a temp dir and real stores.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fingerprintData } from '../../../src/core/launch/fingerprintData.ts';
import { LineageReader } from '../../../src/core/lineage/lineageReader.ts';
import { dataNodeState, staleMarks } from '../../../src/core/lineage/staleness.ts';
import type { DataNode } from '../../../src/core/lineage/types.ts';
import { STORE_KINDS, type Opened } from './models.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function fileNode(file: string, sha256: string | undefined, extra: Partial<DataNode> = {}): DataNode {
  return { kind: 'data', id: `data:${sha256 ?? 'x'}`, path: path.basename(file), absolutePath: file, entryKind: 'file', ...(sha256 ? { sha256 } : {}), ...extra };
}

describe('core/lineage: stale marks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-stale-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says whether a file is as the run read it: fresh, stale, missing, or unknown without a place or hash', async () => {
    const file = path.join(dir, 'train.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const node = fileNode(file, sha('a,b\n1,2\n'));
    assert.equal(await dataNodeState(node), 'fresh');
    writeFileSync(file, 'a,b\n1,3\n');
    assert.equal(await dataNodeState(node), 'stale');
    unlinkSync(file);
    assert.equal(await dataNodeState(node), 'missing');
    assert.equal(await dataNodeState({ ...node, absolutePath: '' }), 'unknown');
    writeFileSync(file, 'a,b\n1,2\n');
    assert.equal(await dataNodeState(fileNode(file, undefined)), 'unknown');
  });

  it('compares folders by their hash while they hold as many files, and DVC-tracked data by its .dvc md5s', async () => {
    const folder = path.join(dir, 'images');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.png'), 'A');
    writeFileSync(path.join(folder, 'b.png'), 'B');
    const [fp] = (await fingerprintData([folder], '/')).entries;
    const node: DataNode = { kind: 'data', id: 'data:f', path: 'images', absolutePath: folder, entryKind: 'dir', sha256: fp?.sha256 ?? '', fileCount: 2 };
    assert.equal(await dataNodeState(node), 'fresh');
    writeFileSync(path.join(folder, 'b.png'), 'b');
    assert.equal(await dataNodeState(node), 'stale');
    writeFileSync(path.join(folder, 'c.png'), 'C');
    assert.equal(await dataNodeState(node), 'unknown');

    const tracked = path.join(dir, 'big.parquet');
    writeFileSync(`${tracked}.dvc`, 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: big.parquet\n');
    const dvcNode = fileNode(tracked, undefined, { dvcMd5: ['0123456789abcdef0123456789abcdef'] });
    assert.equal(await dataNodeState(dvcNode), 'fresh', 'not checked out, but the same version');
    writeFileSync(`${tracked}.dvc`, 'outs:\n- md5: fedcba9876543210fedcba9876543210\n  path: big.parquet\n');
    assert.equal(await dataNodeState(dvcNode), 'stale');
  });

  for (const [kind, open] of STORE_KINDS) {
    describe(kind, () => {
      let o: Opened;
      beforeEach(async () => {
        o = await open();
      });
      afterEach(async () => {
        await o?.close();
      });

      it('marks the run, model version and alias downstream of a data file changed after the run', async () => {
        await o.store.setRegisteredModelAlias('clf', 'challenger', '2');
        const graph = await new LineageReader(o.store).upstream({ kind: 'alias', name: 'clf', alias: 'challenger' });
        const dataId = graph.nodes.find((n) => n.kind === 'data')?.id ?? '';
        assert.ok(dataId, JSON.stringify(graph.nodes));
        const before = await staleMarks(graph);
        assert.deepEqual([before.data.get(dataId), [...before.staleDownstream], before.notes], ['fresh', [], []]);

        writeFileSync(o.models.dataFile, 'x,y\n1,2\n3,999\n');
        const after = await staleMarks(graph);
        assert.equal(after.data.get(dataId), 'stale');
        assert.deepEqual([...after.staleDownstream].sort(), ['alias:clf@challenger', 'modelVersion:clf/2', `run:${o.models.runs[1]}`]);
        assert.deepEqual(after.notes, ['data data/train.csv: its contents changed since the run.']);
        // The champion (v1) was trained on other data: nothing upstream of it is marked.
        const champion = await staleMarks(await new LineageReader(o.store).upstream({ kind: 'alias', name: 'clf', alias: 'champion' }));
        assert.deepEqual([champion.data.size, champion.staleDownstream.size], [0, 0]);
      });
    });
  }
});
