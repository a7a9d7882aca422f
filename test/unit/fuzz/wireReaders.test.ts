// MLflow's REST JSON readers (every `xFromWire` in wire.ts, and the reply envelopes of
// restReplies.ts) under damaged real-shaped replies and requests. Each either reads the value or
// fails with a TrackingError that names the thing and the field path: INTERNAL_ERROR for a
// server's reply, INVALID_PARAMETER_VALUE for a client's request.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as wire from '../../../src/core/mlflow/wire.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { replyPage, replyString } from '../../../src/core/store/rest/restReplies.ts';
import { checkProperty, fuzzRuns, fuzzTitle, mutateJson, jsonMutation, parsesOrThrowsOwn, type Json } from './fuzzing.ts';

const TAGS: Json = [{ key: 'mlflow.runName', value: 'bright-fox' }, { key: 'team', value: '' }];
const METRIC: Json = { key: 'rmse', value: 0.25, timestamp: '1795605125276', step: 3 };
const RUN_INFO: Json = {
  run_id: 'a1b2c3', run_uuid: 'a1b2c3', run_name: 'bright-fox', experiment_id: '7', user_id: 'ana', status: 'FINISHED',
  start_time: 1795605125276, end_time: '1795605129000', artifact_uri: 'mlflow-artifacts:/7/a1b2c3/artifacts', lifecycle_stage: 'active',
};
const MODEL_VERSION: Json = {
  name: 'churn', version: '2', creation_timestamp: 1, last_updated_timestamp: 2, current_stage: 'None', description: 'd',
  source: 'models:/m-0123abcd', run_id: 'a1b2c3', status: 'READY', tags: TAGS, aliases: ['champion'],
};

/** Real-shaped documents (as MLflow 3 sends them), by the reader they are meant for. */
const SAMPLES: Record<string, Json> = {
  tagFromWire: { key: 'team', value: 'vision' },
  paramFromWire: { key: 'lr', value: '0.01' },
  metricFromWire: METRIC,
  experimentFromWire: {
    experiment_id: '7', name: 'churn', artifact_location: 'mlflow-artifacts:/7', lifecycle_stage: 'active',
    last_update_time: 1795605125276, creation_time: '1795605125000', tags: TAGS,
  },
  runInfoFromWire: RUN_INFO,
  runFromWire: {
    info: RUN_INFO,
    data: { metrics: [METRIC, { key: 'acc', value: 'NaN', timestamp: 1, step: '0' }], params: [{ key: 'lr', value: '0.01' }], tags: TAGS },
    inputs: {
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'iris', digest: 'abc', source_type: 'local', source: '{}', schema: '{}' } }],
      model_inputs: [{ model_id: 'm-0123abcd' }],
    },
    outputs: { model_outputs: [{ model_id: 'm-0123abcd', step: 4 }] },
  },
  fileInfoFromWire: { path: 'model/MLmodel', is_dir: false, file_size: '512' },
  modelVersionFromWire: MODEL_VERSION,
  registeredModelFromWire: {
    name: 'churn', creation_timestamp: 1, last_updated_timestamp: 2, description: '', latest_versions: [MODEL_VERSION], tags: TAGS,
    aliases: [{ alias: 'champion', version: '2' }],
  },
  loggedModelFromWire: {
    info: {
      model_id: 'm-0123abcd', experiment_id: '7', name: 'model', artifact_uri: 'mlflow-artifacts:/7/models/m-0123abcd/artifacts',
      creation_timestamp_ms: 1, last_updated_timestamp_ms: 2, status: 'LOGGED_MODEL_READY', model_type: 'sklearn', source_run_id: 'a1b2c3', tags: TAGS,
    },
    data: { params: [{ key: 'lr', value: '0.01' }], metrics: [{ ...(METRIC as object), run_id: 'a1b2c3', model_id: 'm-0123abcd', dataset_name: 'iris', dataset_digest: 'abc' }] },
  },
};

/** Every reader wire.ts exports, so one added later is fuzzed too (with all samples). */
type Reader = (value: unknown, source: wire.WireSource) => unknown;
const READERS = (Object.entries(wire) as [string, unknown][]).filter((entry): entry is [string, Reader] => entry[0].endsWith('FromWire') && typeof entry[1] === 'function');
const DOCS: Json[] = Object.values(SAMPLES);
const FIELDS = [...new Set(DOCS.flatMap((d) => JSON.stringify(d).match(/"[a-z_]+":/g) ?? []).map((k) => k.slice(1, -2)))];

const isOwn = (source: wire.WireSource) => (err: unknown): boolean =>
  err instanceof TrackingError && err.code === (source === 'reply' ? 'INTERNAL_ERROR' : 'INVALID_PARAMETER_VALUE');
/** "The server sent a malformed run: info.start_time is …" — the thing, then the field path (or "it"). */
const namesField = (message: string): boolean => /^The (server sent|request has) a malformed [^:]+: \S/.test(message);

const damaged = fc.record({
  reader: fc.nat({ max: READERS.length - 1 }),
  ownSample: fc.boolean(),
  other: fc.nat({ max: DOCS.length - 1 }),
  mutations: fc.array(jsonMutation, { maxLength: 4 }),
  source: fc.constantFrom<wire.WireSource>('reply', 'request'),
});

describe('fuzz: the MLflow REST wire readers', function () {
  this.timeout(60_000);

  it('has a real-shaped sample for each reader', () => {
    assert.ok(READERS.length >= 9, READERS.map(([n]) => n).join(', '));
    for (const [name, read] of READERS) {
      const sample = SAMPLES[name];
      assert.ok(sample !== undefined, `no sample for ${name}`);
      read(sample, 'reply');
    }
  });

  const runs = fuzzRuns(2000);
  it(fuzzTitle('every reader reads a damaged reply or request, or names the field in a TrackingError', runs), () => {
    checkProperty(damaged, runs, ({ reader, ownSample, other, mutations, source }) => {
      const [name, read] = READERS[reader] as (typeof READERS)[number];
      const base = (ownSample ? SAMPLES[name] : undefined) ?? DOCS[other] ?? null;
      const value = mutateJson(base, mutations, FIELDS);
      parsesOrThrowsOwn(() => read(value, source), isOwn(source), namesField);
    });
  });

  const anyRuns = fuzzRuns(500);
  it(fuzzTitle('reply envelopes (pages, ids) read arbitrary JSON, or name the field in a TrackingError', anyRuns), () => {
    const reply = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ runs: fc.array(fc.constantFrom(SAMPLES.runFromWire, null, 1, {})), next_page_token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
      fc.record({ run_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant({ toString: 1 })) }),
    );
    checkProperty(reply, anyRuns, (value) => {
      parsesOrThrowsOwn(() => replyPage(value, 'runs', 'runs/search', (v) => wire.runFromWire(v)), isOwn('reply'), namesField);
      parsesOrThrowsOwn(() => replyString(value, 'run_id', 'runs/create'), isOwn('reply'), namesField);
    });
  });
});
