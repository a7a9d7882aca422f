// MLflow schemas as columns, and their difference column by column. A dataset's schema is JSON
// text (`{"mlflow_colspec": [{"type": "double", "name": "x"}, …]}` or `{"mlflow_tensorspec": …}`);
// a signature's inputs/outputs/params are JSON lists of the same column specs (MLmodel).
import { isRecord } from '../../shared/isRecord.ts';
import type { ColumnChange, SchemaColumns } from './types.ts';

function typeOf(spec: Record<string, unknown>): string {
  const tensor = spec['tensor-spec'];
  if (spec.type === 'tensor' && isRecord(tensor)) {
    const shape = Array.isArray(tensor.shape) ? `[${tensor.shape.map(String).join(', ')}]` : '';
    return `tensor<${typeof tensor.dtype === 'string' ? tensor.dtype : '?'}>${shape}`;
  }
  if (typeof spec.type === 'string') return spec.required === false ? `${spec.type} (optional)` : spec.type;
  return JSON.stringify(spec.type ?? spec.dtype ?? null);
}

function columnsOf(list: readonly unknown[]): SchemaColumns {
  return {
    columns: list.map((item, i) => {
      const spec = isRecord(item) ? item : {};
      const name = typeof spec.name === 'string' && spec.name !== '' ? spec.name : `#${i}`;
      return { name, type: typeOf(spec) };
    }),
  };
}

/** Columns from a schema's JSON text or parsed value; null when it does not read as one. */
export function readSchema(value: unknown): SchemaColumns | null {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  if (Array.isArray(parsed)) return columnsOf(parsed);
  if (!isRecord(parsed)) return null;
  if (Array.isArray(parsed.mlflow_colspec)) return columnsOf(parsed.mlflow_colspec);
  const tensors = parsed.mlflow_tensorspec;
  if (isRecord(tensors)) {
    // MLflow keeps the tensor spec's features as JSON text inside the JSON.
    const features = typeof tensors.features === 'string' ? readSchema(tensors.features) : Array.isArray(tensors.features) ? columnsOf(tensors.features) : null;
    return features;
  }
  return null;
}

/** Column by column, in the base's order then the remote's new columns; columns matched by name. */
export function diffColumns(base: SchemaColumns | null, remote: SchemaColumns | null): ColumnChange[] {
  const a = base?.columns ?? [];
  const b = remote?.columns ?? [];
  const inRemote = new Map(b.map((c) => [c.name, c.type]));
  const inBase = new Set(a.map((c) => c.name));
  const out: ColumnChange[] = a.map((c) => {
    const other = inRemote.get(c.name);
    if (other === undefined) return { name: c.name, base: c.type, remote: null, change: 'removed' };
    return { name: c.name, base: c.type, remote: other, change: other === c.type ? 'same' : 'typeChanged' };
  });
  for (const c of b) if (!inBase.has(c.name)) out.push({ name: c.name, base: null, remote: c.type, change: 'added' });
  return out;
}
