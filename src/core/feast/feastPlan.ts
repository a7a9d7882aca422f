// What `feast plan` would change, as data and as a readable text: the driver's `plan` answer
// (feastDriverSource.ts) checked field by field, then written as a diff a reviewer reads before
// applying: a summary line, one line per object (+ created, ~ changed, - removed) with each
// changed property before → after, then the infrastructure (online store tables) to create or
// remove.
import { FeastAnswerError } from './feastRegistry.ts';
import { runFeastDriver, type FeastReadFailure } from './readFeastRegistry.ts';

export type PlanTransition = 'CREATE' | 'UPDATE' | 'DELETE';

export interface PlanPropertyChange {
  readonly name: string;
  readonly old: string;
  readonly new: string;
}

export interface PlanObjectChange {
  /** Feast's object type: FEATURE_VIEW, ENTITY, DATA_SOURCE, FEATURE_SERVICE, … */
  readonly type: string;
  readonly name: string;
  readonly transition: PlanTransition;
  readonly properties: readonly PlanPropertyChange[];
}

export interface PlanInfraChange {
  readonly type: string;
  readonly name: string;
  readonly transition: PlanTransition;
}

export interface FeastPlan {
  readonly feastVersion: string;
  readonly project: string;
  readonly objects: readonly PlanObjectChange[];
  readonly infra: readonly PlanInfraChange[];
}

export type FeastPlanResult = { readonly ok: true; readonly plan: FeastPlan } | FeastReadFailure;

type Json = Record<string, unknown>;

function bad(where: string, what: string): never {
  throw new FeastAnswerError(`The Feast driver's plan is not as expected: ${where} ${what}.`);
}

function field(item: Json, key: string, where: string): string {
  const value = item[key];
  if (typeof value !== 'string') bad(`${where}.${key}`, 'is not a string');
  return value;
}

function transition(item: Json, where: string): PlanTransition {
  const value = field(item, 'transition', where);
  if (value !== 'CREATE' && value !== 'UPDATE' && value !== 'DELETE') bad(`${where}.transition`, `is ${value}, not CREATE, UPDATE or DELETE`);
  return value;
}

function records(value: unknown, where: string): Json[] {
  if (!Array.isArray(value)) bad(where, 'is not a list');
  return value.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) bad(`${where}[${i}]`, 'is not an object');
    return item as Json;
  });
}

/** The plan in a successful driver answer, checked; FeastAnswerError otherwise. */
export function parsePlanAnswer(answer: unknown): FeastPlan {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) bad('the answer', 'is not an object');
  const root = answer as Json;
  return {
    feastVersion: field(root, 'feastVersion', 'the answer'),
    project: field(root, 'project', 'the answer'),
    objects: records(root.objects, 'objects').map((o, i) => ({
      type: field(o, 'type', `objects[${i}]`),
      name: field(o, 'name', `objects[${i}]`),
      transition: transition(o, `objects[${i}]`),
      properties: records(o.properties ?? [], `objects[${i}].properties`).map((p, j) => ({
        name: field(p, 'name', `objects[${i}].properties[${j}]`),
        old: field(p, 'old', `objects[${i}].properties[${j}]`),
        new: field(p, 'new', `objects[${i}].properties[${j}]`),
      })),
    })),
    infra: records(root.infra, 'infra').map((o, i) => ({ type: field(o, 'type', `infra[${i}]`), name: field(o, 'name', `infra[${i}]`), transition: transition(o, `infra[${i}]`) })),
  };
}

/** What `feast plan` would change in the repository in `repo`, computed by Feast in `python` (imports the repository's files). */
export async function planFeastRepo(python: string, repo: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<FeastPlanResult> {
  // The driver's runner never rejects: a bad answer comes back as a failure of kind 'answer'.
  const result = await runFeastDriver(python, repo, 'plan', parsePlanAnswer, options);
  return result.ok ? { ok: true, plan: result.value } : result;
}

const SIGN: Record<PlanTransition, string> = { CREATE: '+', UPDATE: '~', DELETE: '-' };

/** FEATURE_VIEW → "feature view". */
function typeWords(type: string): string {
  return type.toLowerCase().replace(/_/g, ' ');
}

/** How many objects the plan creates, changes and removes. */
export function planCounts(plan: FeastPlan): { create: number; update: number; delete: number } {
  const count = (t: PlanTransition) => plan.objects.filter((o) => o.transition === t).length;
  return { create: count('CREATE'), update: count('UPDATE'), delete: count('DELETE') };
}

/** The plan's one-line summary: "1 to create, 1 to change, 0 to remove" or "No changes". */
export function planSummary(plan: FeastPlan): string {
  const { create, update, delete: remove } = planCounts(plan);
  const infra = plan.infra.length;
  if (create + update + remove + infra === 0) return 'No changes: the registry and the infrastructure match the repository.';
  return `${create} to create, ${update} to change, ${remove} to remove${infra ? `; ${infra} infrastructure change${infra === 1 ? '' : 's'}` : ''}.`;
}

/** Indents every line of a (possibly multi-line) value under its property. */
function block(text: string, indent: string): string {
  return text.split('\n').map((line, i) => (i === 0 ? line : `${indent}${line}`)).join('\n');
}

/** The plan as a diff-like text: objects in Feast's order, created (+), changed (~) with before → after, removed (-). */
export function renderPlan(plan: FeastPlan, where: string): string {
  const lines = [`# Feast plan for the project ${plan.project} (${where}), Feast ${plan.feastVersion}`, `# ${planSummary(plan)}`, ''];
  for (const change of plan.objects) {
    lines.push(`${SIGN[change.transition]} ${typeWords(change.type)} ${change.name}`);
    for (const property of change.properties) {
      const multi = property.old.includes('\n') || property.new.includes('\n');
      if (multi) {
        lines.push(`    ${property.name}:`);
        lines.push(`-       ${block(property.old || '(none)', '-       ')}`);
        lines.push(`+       ${block(property.new || '(none)', '+       ')}`);
      } else lines.push(`    ${property.name}: ${property.old || '(none)'} → ${property.new || '(none)'}`);
    }
  }
  if (plan.infra.length) {
    lines.push('', '# Infrastructure');
    for (const change of plan.infra) lines.push(`${SIGN[change.transition]} ${change.type} ${change.name}`);
  }
  return `${lines.join('\n')}\n`;
}
