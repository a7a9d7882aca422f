// Checks of the What Changed panel's saved state (whatChanged.ts): the source that revives a
// panel, and the last comparison the page draws at once after a reload. A state written by an
// older build, or damaged, must not be drawn: every field the page reads is checked here.
import type {
  CodeFacts,
  CodeSection,
  ColumnChange,
  DataFileChange,
  DataSection,
  DatasetChange,
  DatasetFacts,
  EnvironmentSection,
  MetricChange,
  MetricsSection,
  PackageChange,
  ParamChange,
  SchemaColumns,
  SideInfo,
  SideRef,
  SignatureFacts,
  SignatureSection,
  WhatChanged,
} from '../core/whatChanged/types.ts';
import { arrayOf, boolean, type Check, nonEmptyString, nullable, number, object, oneOf, string } from './requests.ts';
import type { WhatChangedSource } from './whatChanged.ts';

export const sideRef: Check<SideRef> = (value, field) => {
  const { kind } = object<{ kind: SideRef['kind'] }>({ kind: oneOf(['run', 'version'] as const) })(value, field);
  return kind === 'run'
    ? { kind, ...object<{ runId: string }>({ runId: nonEmptyString })(value, field) }
    : { kind, ...object<{ name: string; version: string }>({ name: nonEmptyString, version: nonEmptyString })(value, field) };
};

export const whatChangedSource: Check<WhatChangedSource> = object<WhatChangedSource>({ store: nonEmptyString, base: sideRef, remote: sideRef });

const strings = arrayOf(string);
const change = oneOf(['same', 'changed', 'added', 'removed'] as const);
const pair = <T>(check: Check<T>) => object<{ base: T; remote: T }>({ base: check, remote: check });

const sideInfo = object<SideInfo>({
  ref: sideRef,
  label: string,
  runId: nullable(string),
  runName: nullable(string),
  modelId: nullable(string),
  version: nullable(object<NonNullable<SideInfo['version']>>({ name: string, version: string, source: string, aliases: strings })),
});

const paramChange = object<ParamChange>({ key: string, base: nullable(string), remote: nullable(string), change });

const metricChange = object<MetricChange>({
  key: string,
  base: nullable(number),
  remote: nullable(number),
  delta: nullable(number),
  deltaPercent: nullable(number),
  direction: nullable(oneOf(['lower', 'higher'] as const)),
  verdict: nullable(oneOf(['better', 'worse'] as const)),
  change,
});

const origin = nullable(oneOf(['model', 'run'] as const));
const metrics = object<MetricsSection>({ origin: pair(origin), rows: arrayOf(metricChange), notes: strings });

const columnChange = object<ColumnChange>({ name: string, base: nullable(string), remote: nullable(string), change: oneOf(['same', 'added', 'removed', 'typeChanged'] as const) });
const datasetFacts = object<DatasetFacts>({ digest: string, sourceType: string, source: string, context: nullable(string) });
const data = object<DataSection>({
  files: arrayOf(object<DataFileChange>({ path: string, base: nullable(string), remote: nullable(string), change: oneOf(['same', 'changed', 'added', 'removed', 'unknown'] as const) })),
  datasets: arrayOf(object<DatasetChange>({ name: string, base: nullable(datasetFacts), remote: nullable(datasetFacts), change, schema: nullable(arrayOf(columnChange)) })),
  notes: strings,
});

const codeFacts = object<CodeFacts>({ commit: nullable(string), branch: nullable(string), dirty: nullable(boolean), snapshotPath: nullable(string), notebook: boolean, hasPatch: boolean });
const code = object<CodeSection>({
  base: nullable(codeFacts),
  remote: nullable(codeFacts),
  range: nullable(string),
  sameCommit: nullable(boolean),
  snapshotDiffers: nullable(boolean),
  patchDiffers: nullable(boolean),
  notebookPath: nullable(string),
  notes: strings,
});

const environment = object<EnvironmentSection>({
  counts: pair(nullable(number)),
  python: pair(nullable(string)),
  packages: arrayOf(object<PackageChange>({ name: string, base: nullable(string), remote: nullable(string), change: oneOf(['added', 'removed', 'upgraded', 'downgraded', 'changed'] as const) })),
  notes: strings,
});

const schemaColumns = nullable(object<SchemaColumns>({ columns: arrayOf(object<{ name: string; type: string }>({ name: string, type: string })) }));
const signatureFacts = object<SignatureFacts>({
  from: string,
  inputs: schemaColumns,
  outputs: schemaColumns,
  params: schemaColumns,
  example: nullable(object<NonNullable<SignatureFacts['example']>>({ path: string, text: string, truncated: boolean })),
});
const signature = object<SignatureSection>({
  base: nullable(signatureFacts),
  remote: nullable(signatureFacts),
  inputs: arrayOf(columnChange),
  outputs: arrayOf(columnChange),
  params: arrayOf(columnChange),
  exampleDiffers: nullable(boolean),
  notes: strings,
});

/** A whole comparison as the host sent it. */
export const whatChangedCheck: Check<WhatChanged> = object<WhatChanged>({
  base: sideInfo,
  remote: sideInfo,
  summary: strings,
  params: object<WhatChanged['params']>({ rows: arrayOf(paramChange), notes: strings }),
  metrics,
  data,
  code,
  environment,
  signature,
  notes: strings,
});
