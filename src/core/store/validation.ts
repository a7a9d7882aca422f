// MLflow's validation rules (mlflow/utils/validation.py), applied by every writable Labbook store
// so that the local store refuses exactly what an MLflow server would.
import { invalidParameter } from './errors.ts';
import type { LogBatchInput, Metric, Param, Tag } from './types.ts';

export const LIMITS = {
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentNameLength: 500,
  runNameLength: 250,
} as const;

// Names may hold letters, digits, _ - . space / and : (MLflow 2.x+).
const NAME = /^[\w\-. /:]*$/u;

export function validateKey(kind: 'metric' | 'param' | 'tag', key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw invalidParameter(`Missing value for required parameter 'key' of a ${kind}.`);
  if (key.length > LIMITS.keyLength) {
    throw invalidParameter(`${cap(kind)} name '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${LIMITS.keyLength}.`);
  }
  if (kind !== 'tag' && !NAME.test(key)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  if (key.split('/').includes('..') || key.startsWith('/')) {
    throw invalidParameter(`Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  }
  return key;
}

export function validateParam(param: Param): Param {
  validateKey('param', param.key);
  return validateValue('param', param, LIMITS.paramValueLength);
}

export function validateTag(tag: Tag): Tag {
  validateKey('tag', tag.key);
  return validateValue('tag', tag, LIMITS.tagValueLength);
}

function validateValue<T extends { key: string; value: string }>(kind: 'param' | 'tag', entry: T, limit: number): T {
  if (typeof entry.value !== 'string') throw invalidParameter(`${cap(kind)} '${entry.key}' must have a string value.`);
  if (entry.value.length > limit) {
    throw invalidParameter(`${cap(kind)} value '${entry.value.slice(0, 40)}…' had length ${entry.value.length}, which exceeded length limit of ${limit}.`);
  }
  return entry;
}

/** `validKeys`: keys already validated in this batch, whose check is not repeated. */
export function validateMetric(metric: Metric, validKeys?: Set<string>): Metric {
  if (!validKeys?.has(metric.key)) {
    validateKey('metric', metric.key);
    validKeys?.add(metric.key);
  }
  if (typeof metric.value !== 'number') throw invalidParameter(`Got invalid value ${String(metric.value)} for metric '${metric.key}' (timestamp=${metric.timestamp}). Please specify value as a valid double (64-bit floating point).`);
  if (!Number.isSafeInteger(metric.timestamp)) throw invalidParameter(`Got invalid timestamp ${String(metric.timestamp)} for metric '${metric.key}' (value=${metric.value}). Timestamp must be a nonnegative long (64-bit integer).`);
  if (!Number.isSafeInteger(metric.step)) throw invalidParameter(`Got invalid step ${String(metric.step)} for metric '${metric.key}' (value=${metric.value}). Step must be a valid long (64-bit integer).`);
  return metric;
}

export function validateBatch(batch: LogBatchInput): void {
  const metrics = batch.metrics?.length ?? 0;
  const params = batch.params?.length ?? 0;
  const tags = batch.tags?.length ?? 0;
  if (metrics > LIMITS.batchMetrics) throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchMetrics} metrics. Got ${metrics} metrics. Please split up metrics across multiple requests and try again.`);
  if (params > LIMITS.batchParams) throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchParams} params. Got ${params} params. Please split up params across multiple requests and try again.`);
  if (tags > LIMITS.batchTags) throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchTags} tags. Got ${tags} tags. Please split up tags across multiple requests and try again.`);
  if (metrics + params + tags > LIMITS.batchTotal) throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchTotal} total entities (metrics, params, and tags). Got ${metrics + params + tags}.`);
  const seen = new Set<string>();
  for (const p of batch.params ?? []) {
    validateParam(p);
    if (seen.has(p.key)) throw invalidParameter(`Duplicate parameter keys have been submitted: ${p.key}. Please ensure the request contains only one param value per param key.`);
    seen.add(p.key);
  }
  const metricKeys = new Set<string>();
  for (const m of batch.metrics ?? []) validateMetric(m, metricKeys);
  for (const t of batch.tags ?? []) validateTag(t);
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidParameter("Invalid experiment name: ''. Experiment names must be non-empty strings.");
  if (name.length > LIMITS.experimentNameLength) throw invalidParameter(`Experiment name exceeds the maximum length of ${LIMITS.experimentNameLength} characters.`);
  return name;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
