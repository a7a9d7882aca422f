// The Feast driver's answer, checked field by field (a bad answer names the field), TTLs as people
// write them, and the reader's failures with an interpreter that misbehaves: garbage on stdout, a
// hang past the timeout, a crash. The reader against real Feast is in test/interop/feastRegistry.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FeastAnswerError, formatTtl, parseRegistryAnswer, projectObjects } from '../../../src/core/feast/feastRegistry.ts';
import { readFeastRegistry } from '../../../src/core/feast/readFeastRegistry.ts';

function answer() {
  return {
    ok: true,
    feastVersion: '0.67.0',
    project: 'churn',
    provider: 'local',
    registry: { type: 'file', path: 'data/registry.db' },
    projects: [
      {
        name: 'churn',
        entities: [{ name: 'customer', joinKeys: ['customer_id'], valueType: 'INT64', description: '', tags: { team: 'growth' }, owner: '', updated: '2026-12-03T10:00:00' }],
        dataSources: [{ name: 'orders', type: 'FileSource', timestampField: 'ts', description: '', tags: {}, owner: '', detail: { path: 'data/orders.parquet' } }],
        featureViews: [
          {
            name: 'customer_orders',
            kind: 'FeatureView',
            features: [{ name: 'orders_7d', dtype: 'Int64', description: '', tags: {} }],
            entities: ['customer'],
            entityColumns: [{ name: 'customer_id', dtype: 'Int64', description: '', tags: {} }],
            ttlSeconds: 90_000,
            source: 'orders',
            streamSource: null,
            online: true,
            offline: false,
            description: 'Orders per customer',
            tags: { tier: 'gold' },
            owner: 'ml@example.com',
            updated: null,
          },
        ],
        onDemandFeatureViews: [{ name: 'share', features: [{ name: 'share', dtype: 'Float64', description: '', tags: {} }], sources: ['customer_orders'], mode: 'pandas', description: '', tags: {}, owner: '' }],
        featureServices: [{ name: 'churn_features', features: [{ featureView: 'customer_orders', features: ['orders_7d'] }], description: '', tags: {}, owner: '' }],
      },
    ],
    locations: { 'featureView:customer_orders': { file: '/repo/features.py', line: 12, column: 4 }, 'entity:customer': { file: '/repo/entities.py', line: 3, column: 0 } },
  };
}

describe('core/feast: the registry as the driver answers it', () => {
  it('builds every object with its kind, fields and declaration', () => {
    const registry = parseRegistryAnswer(answer());
    assert.equal(registry.project, 'churn');
    assert.deepEqual(registry.registry, { type: 'file', path: 'data/registry.db' });
    const churn = registry.projects[0];
    assert.ok(churn);
    assert.deepEqual(projectObjects(churn).map((o) => `${o.kind}:${o.name}`), [
      'entity:customer',
      'dataSource:orders',
      'featureView:customer_orders',
      'onDemandFeatureView:share',
      'featureService:churn_features',
    ]);
    const view = churn.featureViews[0];
    assert.deepEqual(view?.location, { file: '/repo/features.py', line: 12, column: 4 });
    assert.equal(view?.ttlSeconds, 90_000);
    assert.equal(view?.streamSource, undefined);
    assert.equal(view?.updated, undefined);
    assert.equal(view?.owner, 'ml@example.com');
    assert.deepEqual(churn.entities[0]?.location, { file: '/repo/entities.py', line: 3, column: 0 });
    // A location is matched by kind and name: the data source has none.
    assert.equal(churn.dataSources[0]?.location, undefined);
  });

  it('refuses an answer that is not as expected, naming the field', () => {
    const cases: [string, (a: ReturnType<typeof answer>) => void, RegExp][] = [
      ['no projects', (a) => Reflect.deleteProperty(a, 'projects'), /projects is not a list/],
      ['a feature without a type', (a) => Reflect.deleteProperty(a.projects[0]?.featureViews[0]?.features[0] ?? {}, 'dtype'), /projects\[0\]\.featureViews\[0\]\.features\[0\]\.dtype is not a string/],
      ['a tag that is a number', (a) => Object.assign(a.projects[0]?.entities[0]?.tags ?? {}, { team: 3 }), /projects\[0\]\.entities\[0\]\.tags\.team is not a string/],
      ['online as a string', (a) => Object.assign(a.projects[0]?.featureViews[0] ?? {}, { online: 'yes' }), /online is not true or false/],
      ['a TTL that is not a number', (a) => Object.assign(a.projects[0]?.featureViews[0] ?? {}, { ttlSeconds: 'a day' }), /ttlSeconds is not a number/],
      ['a location without a line', (a) => Object.assign(a.locations, { 'entity:customer': { file: '/x.py' } }), /locations\.entity:customer has no line/],
    ];
    for (const [what, spoil, message] of cases) {
      const bad = answer();
      spoil(bad);
      assert.throws(() => parseRegistryAnswer(bad), (err: unknown) => err instanceof FeastAnswerError && message.test(err.message), what);
    }
    assert.throws(() => parseRegistryAnswer(null), FeastAnswerError);
    assert.throws(() => parseRegistryAnswer([]), FeastAnswerError);
  });

  it('writes a TTL as people do', () => {
    assert.equal(formatTtl(undefined), '—');
    assert.equal(formatTtl(0), 'no expiry');
    assert.equal(formatTtl(86_400), '1d');
    assert.equal(formatTtl(90_061), '1d 1h 1m 1s');
    assert.equal(formatTtl(1_800), '30m');
  });
});

describe('core/feast: reading with an interpreter that misbehaves', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-unit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in interpreter: a shell script that ignores the driver and does `body`. */
  const fakePython = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('reports output that is not the driver\'s answer, with the end of stderr', async () => {
    const result = await readFeastRegistry(fakePython('garbage', 'echo "<html>not json"; echo "ImportError: libstdc++ is too old" >&2'), dir);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'answer');
      assert.match(result.message, /Feast could not be run/);
      assert.match(result.message, /libstdc\+\+ is too old/);
    }
  });

  it('reports an answer of the wrong shape, naming the field', async () => {
    const result = await readFeastRegistry(fakePython('shape', `echo '{"ok": true, "feastVersion": "0.67.0", "project": "p", "provider": "local", "registry": {"type": "file"}, "projects": {}}'`), dir);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'answer');
      assert.match(result.message, /projects is not a list/);
    }
  });

  it('stops a read that hangs, at the timeout', async () => {
    const result = await readFeastRegistry(fakePython('hang', 'exec sleep 30'), dir, { timeoutMs: 500 });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'timeout');
      assert.match(result.message, /did not finish within 0.5 s/);
    }
  });

  it('reports a crash with what the interpreter said', async () => {
    const result = await readFeastRegistry(fakePython('crash', 'echo "Segmentation fault" >&2; exit 139'), dir);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'answer');
      assert.match(result.message, /Segmentation fault/);
    }
  });

  /** A stand-in interpreter that answers the quick reader with `quick` and the driver with `driver` (JSON texts). */
  const twoReaders = (name: string, quick: string, driver: string) =>
    fakePython(name, `case "$1" in\n  *feast_quick_*) echo '${quick}' ;;\n  *) echo '${driver}' ;;\nesac`);
  const listing = (provider: string) => JSON.stringify({ ok: true, feastVersion: '0.67.0', project: 'p', provider, registry: { type: 'file', path: 'data/registry.db' }, projects: [], locations: {} });

  it('gives the quick listing first, then takes Feast\'s own read as the result', async () => {
    const python = twoReaders('both', listing('quick'), listing('feast'));
    const quick: string[] = [];
    const result = await readFeastRegistry(python, dir, { onQuick: (registry) => quick.push(registry.provider) });
    assert.deepEqual(quick, ['quick']);
    assert.ok(result.ok);
    assert.equal(result.registry.provider, 'feast');
    // Without onQuick the quick listing is the answer; with quick: false Feast alone reads.
    const alone = await readFeastRegistry(python, dir);
    assert.equal(alone.ok && alone.registry.provider, 'quick');
    const feastOnly = await readFeastRegistry(python, dir, { quick: false, onQuick: () => quick.push('again') });
    assert.equal(feastOnly.ok && feastOnly.registry.provider, 'feast');
    assert.deepEqual(quick, ['quick']);
  });

  it('leaves to Feast what the quick reader declines, and does not ask Feast again what it would meet too', async () => {
    const declining = twoReaders('declines', '{"ok": false, "kind": "declined", "error": "the registry is not a local file"}', listing('feast'));
    const quick: string[] = [];
    const result = await readFeastRegistry(declining, dir, { onQuick: (registry) => quick.push(registry.provider) });
    assert.deepEqual(quick, []);
    assert.equal(result.ok && result.registry.provider, 'feast');
    // Feast missing: the driver is not run (it would say the same), the pip line is given.
    const missing = twoReaders('missing', '{"ok": false, "kind": "missing", "error": "No module named feast"}', listing('feast'));
    const absent = await readFeastRegistry(missing, dir);
    assert.equal(absent.ok, false);
    if (!absent.ok) assert.equal(absent.kind, 'missing');
  });
});
