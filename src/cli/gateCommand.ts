// `labbook gate MODEL CANDIDATE`: the CD step of a pipeline. Checks a candidate model version
// against rules (most of them comparing it with the version holding an alias such as @champion)
// and, with --promote, moves the alias to it and records the promotion in the audit trail (MLflow
// tags). Exit 0: the gate passed (and the alias moved, when asked); 1: it failed (nothing written);
// 2: usage or any error (unknown model or version, unreachable server), in one line.
import { currentUserName } from '../core/system/currentUser.ts';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { evaluateGate, type GateAgainst, type GateResult } from '../core/lifecycle/gate.ts';
import { GateRuleError, needsChampion, parseGateRule } from '../core/lifecycle/gateRules.ts';
import { promote, type AuditEntry } from '../core/lifecycle/lifecycle.ts';
import { errorFirstLine, errorMessage } from '../shared/errorMessage.ts';
import { openCliStore } from './cliStore.ts';
import type { RunCommandIo } from './runCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const GATE_USAGE = `  gate    Check a model version against promotion rules, and promote it when they pass
          (exit 0: passed, 1: failed, nothing written, 2: error).
          labbook gate MODEL CANDIDATE [options]    CANDIDATE: a version number or @alias
          --rule RULE          a rule (repeatable), e.g. "metrics.rmse <= 1.0*champion",
                               "metrics.accuracy >= 0.9", "smoke passed", "data not stale",
                               "params.model = ridge"
          --against REF        what champion means: @alias or a version (default: the
                               --promote alias)
          --promote ALIAS      move ALIAS (e.g. @champion) to the candidate when the gate passes,
                               recorded in the audit trail (MLflow tags labbook.audit.*)
          --override-reason T  promote even though the gate fails, recording this reason
          --actor NAME         who promotes (default: GITHUB_ACTOR, else the OS user)
          --store FILE         the local store (default: .labbook/tracking.db here); without it,
                               MLFLOW_TRACKING_URI (an http(s) server) is used when set, with
                               MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/_PASSWORD
          --timeout S          seconds allowed to hash data for "data not stale" (default 60)
          --json               print the result as one JSON object
`;

const GATE_OPTIONS = {
  rule: { type: 'string', multiple: true },
  against: { type: 'string' },
  promote: { type: 'string' },
  'override-reason': { type: 'string' },
  actor: { type: 'string' },
  store: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface GateRequest {
  readonly name: string;
  readonly candidate: string;
  readonly rules: readonly string[];
  readonly against?: GateAgainst;
  readonly promote?: string;
  readonly overrideReason?: string;
  readonly actor: string;
  readonly timeoutMs?: number;
}

/** The command line read into a request; a UsageError for anything wrong with it. */
export function parseGateArgs(args: readonly string[], env: NodeJS.ProcessEnv): { request: GateRequest; store?: string; json: boolean } | 'help' {
  const { values, positionals } = parseCommandArgs(args, GATE_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length !== 2) throw new UsageError(`expected MODEL and CANDIDATE, got ${positionals.length} argument(s)`);
  const [name = '', candidate = ''] = positionals;
  const rules = values.rule ?? [];
  let parsed;
  try {
    parsed = rules.map(parseGateRule);
  } catch (err) {
    throw err instanceof GateRuleError ? new UsageError(err.message) : err;
  }
  const promoteTo = values.promote?.replace(/^@/, '');
  if (promoteTo === '') throw new UsageError('--promote needs an alias, e.g. @champion');
  const againstText = values.against?.trim();
  const against: GateAgainst | undefined = againstText ? (againstText.startsWith('@') ? { alias: againstText.slice(1) } : { version: againstText }) : promoteTo ? { alias: promoteTo } : undefined;
  if (!against && needsChampion(parsed)) throw new UsageError('a rule compares with champion: give --against @ALIAS (or VERSION), or --promote @ALIAS');
  if (rules.length === 0 && !promoteTo) throw new UsageError('nothing to check: give --rule RULE (repeatable) and/or --promote @ALIAS');
  const overrideReason = values['override-reason'];
  if (overrideReason !== undefined && !overrideReason.trim()) throw new UsageError('--override-reason needs a reason, which is recorded');
  if (overrideReason !== undefined && !promoteTo) throw new UsageError('--override-reason only applies with --promote');
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
  const actor = values.actor?.trim() || env['GITHUB_ACTOR']?.trim() || currentUserName();
  return {
    request: {
      name, candidate, rules, actor,
      ...(against ? { against } : {}),
      ...(promoteTo ? { promote: promoteTo } : {}),
      ...(overrideReason !== undefined ? { overrideReason } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    },
    ...(values.store !== undefined ? { store: values.store } : {}),
    json: values.json ?? false,
  };
}

export async function gateCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseGateArgs(args, io.env);
  } catch (err) {
    io.stderr.write(`labbook gate: ${errorMessage(err)}\n\n${GATE_USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout.write(`Usage: labbook gate MODEL CANDIDATE [options]\n\n${GATE_USAGE}`);
    return 0;
  }
  const { request, json } = parsed;
  let opened;
  try {
    opened = await openCliStore({ ...(parsed.store !== undefined ? { store: parsed.store } : {}), env: io.env, cwd: io.cwd, sqliteRuntime, mustExist: true });
  } catch (err) {
    io.stderr.write(`labbook gate: ${errorFirstLine(err)}\n`);
    return 2;
  }
  const { store } = opened;
  try {
    let gate: GateResult | undefined;
    let promoted = false;
    let entry: AuditEntry | undefined;
    if (request.promote !== undefined) {
      const result = await promote(store, {
        name: request.name, version: request.candidate, alias: request.promote, rules: request.rules, actor: request.actor,
        ...(request.against ? { against: request.against } : {}),
        ...(request.overrideReason !== undefined ? { override: { reason: request.overrideReason } } : {}),
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
      });
      ({ gate, promoted, entry } = result);
    } else {
      gate = await evaluateGate(store, request.name, request.candidate, request.against, request.rules, request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {});
    }
    const passed = request.promote !== undefined ? promoted : (gate?.passed ?? true);
    if (json) io.stdout.write(`${JSON.stringify({ passed, gate: gate ?? null, promoted, entry: entry ?? null })}\n`);
    else io.stdout.write(report(request, gate, promoted, entry));
    return passed ? 0 : 1;
  } catch (err) {
    io.stderr.write(`labbook gate: ${errorFirstLine(err)}\n`);
    return 2;
  } finally {
    await store.close();
  }
}

function report(request: GateRequest, gate: GateResult | undefined, promoted: boolean, entry: AuditEntry | undefined): string {
  const lines: string[] = [];
  for (const c of gate?.checks ?? []) lines.push(`${c.passed ? 'PASS' : 'FAIL'}  ${c.rule}: ${c.detail}`);
  if (gate) {
    const against = gate.against ? ` against ${gate.against.alias ? `@${gate.against.alias} (v${gate.against.version})` : `v${gate.against.version}`}` : '';
    const failed = gate.checks.filter((c) => !c.passed).length;
    lines.push(`gate ${gate.passed ? 'passed' : `failed (${failed} of ${gate.checks.length} checks)`}: ${gate.candidate.name} v${gate.candidate.version}${against}`);
  }
  if (promoted && entry) {
    const was = entry.fromVersion ? `was v${entry.fromVersion}` : 'held by no version before';
    lines.push(`${entry.action === 'override' ? 'promoted despite the failed gate (override recorded)' : 'promoted'}: ${entry.name} v${entry.toVersion} is now @${entry.alias} (${was}); audit tag ${entry.key}, by ${entry.actor}`);
  } else if (request.promote !== undefined) lines.push(`not promoted: @${request.promote} unchanged`);
  return `${lines.join('\n')}\n`;
}


