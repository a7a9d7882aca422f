// The Models view's lifecycle commands: Promote (move an alias to a version through an optional
// gate, which can be overridden with a recorded reason), Archive, Restore, and showing or hiding retired
// versions. The work is core's (src/core/lifecycle); here are only the pickers, the progress and
// the messages. Called with arguments (tests, other commands), they ask nothing.
import * as vscode from 'vscode';
import { parseGateRule } from '../../core/lifecycle/gateRules.ts';
import { archiveVersion, promote, restoreVersion, type PromoteResult } from '../../core/lifecycle/lifecycle.ts';
import type { GateResult } from '../../core/lifecycle/gate.ts';
import { requireWriter } from '../../core/store/trackingStore.ts';
import { currentUserName } from '../../core/system/currentUser.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import type { ModelsTreeProvider } from '../trees/modelsTree.ts';
import type { VersionNode } from '../trees/treeNodes.ts';

/** What a caller may give `labbook.promoteModelVersion` instead of being asked. */
export interface PromoteArgs {
  readonly alias: string;
  /** The gate; none given: no gate (the alias simply moves, and the move is recorded). */
  readonly rules?: readonly string[];
  /** Promote even when the gate fails, recording this reason. */
  readonly overrideReason?: string;
}

/** The context key the Models view's retired-versions toggle reads; false until toggled. */
const RETIRED_CONTEXT = 'labbook.models.showRetired';
const ALIAS_PATTERN = /^[\w-]+$/;

export function validAlias(alias: string): string | undefined {
  return ALIAS_PATTERN.test(alias) && !/^(latest|v\d+)$/i.test(alias) ? undefined : "Use letters, digits, '-' or '_'; not 'latest' or v<number>.";
}

/** The gate rules configured for `alias` (`labbook.promotion.gates`); rules that do not parse are left out, with a warning naming them. */
function configuredRules(alias: string): string[] {
  const gates = vscode.workspace.getConfiguration('labbook.promotion').get<unknown>('gates', {});
  const rules = gates && typeof gates === 'object' ? (gates as Record<string, unknown>)[alias] : undefined;
  const given = Array.isArray(rules) ? rules.filter((r): r is string => typeof r === 'string' && r.trim() !== '') : [];
  const bad = given.map((rule) => ruleError(rule)).filter((e): e is string => e !== undefined);
  if (bad.length > 0) void vscode.window.showWarningMessage(`labbook.promotion.gates for @${alias}: ${bad.join(' ')} (left out of the gate)`);
  return given.filter((rule) => ruleError(rule) === undefined);
}

function ruleError(rule: string): string | undefined {
  try {
    parseGateRule(rule);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

async function pickAlias(node: VersionNode, aliases: readonly { alias: string; version: string }[]): Promise<string | undefined> {
  const known = new Map(aliases.map((a) => [a.alias, a.version]));
  for (const usual of ['champion', 'staging']) if (!known.has(usual)) known.set(usual, '');
  const other = { label: '$(edit) Other alias…', alias: '' };
  const picked = await vscode.window.showQuickPick(
    [
      ...[...known].map(([alias, version]) => ({
        label: `@${alias}`,
        alias,
        description: version === node.version.version ? 'already on this version' : version ? `now on v${version}` : 'not set yet',
      })),
      other,
    ],
    { title: `Promote ${node.version.name} v${node.version.version} to…`, placeHolder: 'The alias to move to this version' },
  );
  if (!picked) return undefined;
  if (picked !== other) return picked.alias;
  return vscode.window.showInputBox({ title: 'Promote to alias', prompt: 'An alias such as champion or staging', validateInput: validAlias });
}

async function pickRules(alias: string): Promise<string[] | undefined> {
  const configured = configuredRules(alias);
  const suggested = ['data not stale', 'smoke passed'].filter((r) => !configured.includes(r));
  const write = { label: '$(edit) Write a rule…', rule: '', picked: false };
  const items = [
    ...configured.map((rule) => ({ label: rule, rule, picked: true, description: 'labbook.promotion.gates' })),
    ...suggested.map((rule) => ({ label: rule, rule, picked: false, description: '' })),
    write,
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Gate for @${alias}`,
    placeHolder: `Checks the candidate must pass against the current @${alias} (none: promote without a gate)`,
    canPickMany: true,
  });
  if (!picked) return undefined;
  const rules = picked.filter((p) => p !== write).map((p) => p.rule);
  if (picked.includes(write)) {
    const rule = await vscode.window.showInputBox({
      title: `A gate rule for @${alias}`,
      prompt: `e.g. metrics.rmse <= champion * 1.00, metrics.accuracy >= 0.9, smoke passed, data not stale`,
      validateInput: (v) => (v.trim() ? ruleError(v) : 'Write a rule, or press Escape.'),
    });
    if (rule === undefined) return undefined;
    rules.push(rule.trim());
  }
  return rules;
}

function gateLines(gate: GateResult | undefined): string[] {
  return (gate?.checks ?? []).map((c) => `${c.passed ? '✓' : '✗'} ${c.rule} — ${c.detail}`);
}

async function askOverrideReason(node: VersionNode, alias: string, gate: GateResult | undefined): Promise<string | undefined> {
  const failed = (gate?.checks ?? []).filter((c) => !c.passed);
  const override = 'Override…';
  const choice = await vscode.window.showWarningMessage(
    `The gate refused ${node.version.name} v${node.version.version} for @${alias}.`,
    { modal: true, detail: [`${failed.length} of ${gate?.checks.length ?? 0} checks failed:`, ...gateLines({ ...gate!, checks: failed })].join('\n') },
    override,
  );
  if (choice !== override) return undefined;
  return vscode.window.showInputBox({
    title: `Override the gate for @${alias}`,
    prompt: 'Why this version goes live anyway (recorded in the model’s history)',
    validateInput: (v) => (v.trim() ? undefined : 'An override needs a reason.'),
  });
}

export function registerLifecycleCommands(changes: StoreChanges, models: ModelsTreeProvider): vscode.Disposable[] {
  const failed = (what: string, err: unknown) => void vscode.window.showErrorMessage(`Labbook could not ${what}: ${errorMessage(err)}`);
  const setShowRetired = async (show: boolean) => {
    models.showRetired = show;
    await vscode.commands.executeCommand('setContext', RETIRED_CONTEXT, show);
  };
  return [
    vscode.commands.registerCommand('labbook.promoteModelVersion', async (node: VersionNode, args?: PromoteArgs): Promise<PromoteResult | undefined> => {
      const store = await node.root.open();
      if (!store) return undefined;
      const { name, version } = node.version;
      let alias = args?.alias;
      if (alias === undefined) {
        let aliases: { alias: string; version: string }[] = [];
        try {
          aliases = [...(await store.getRegisteredModel(name)).aliases];
        } catch {
          // The picker offers the usual aliases without their holders.
        }
        alias = await pickAlias(node, aliases);
      }
      if (!alias) return undefined;
      const invalid = validAlias(alias);
      if (invalid) {
        void vscode.window.showErrorMessage(`Labbook cannot promote to '${alias}': ${invalid}`);
        return undefined;
      }
      const rules = args ? (args.rules ?? []) : await pickRules(alias);
      if (!rules) return undefined;
      let writer;
      try {
        writer = requireWriter(store, `promote ${name} v${version} to @${alias}`);
      } catch (err) {
        failed(`promote to @${alias}`, err);
        return undefined;
      }
      const run = (overrideReason: string | undefined) =>
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: rules.length ? `Labbook: checking the gate for ${name} v${version} → @${alias}…` : `Labbook: promoting ${name} v${version} to @${alias}…` },
          () => promote(writer, { name, version, alias, rules, actor: currentUserName(), ...(overrideReason !== undefined ? { override: { reason: overrideReason } } : {}) }),
        );
      try {
        let result = await run(args?.overrideReason);
        if (!result.promoted && !args) {
          const reason = await askOverrideReason(node, alias, result.gate);
          if (reason !== undefined) result = await run(reason);
        }
        changes.publish({ kind: 'data', rootId: node.root.id });
        if (result.promoted) {
          const how = !result.gate || result.gate.checks.length === 0 ? '' : result.gate.passed ? ': the gate passed' : ': the gate was overridden';
          void vscode.window.showInformationMessage(`${name} v${version} is now @${alias}${how}.`);
        } else if (args) {
          void vscode.window.showWarningMessage(`The gate refused ${name} v${version} for @${alias}: ${gateLines(result.gate).filter((l) => l.startsWith('✗')).join('; ')}`);
        }
        return result;
      } catch (err) {
        failed(`promote ${name} v${version} to @${alias}`, err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.archiveModelVersion', async (node: VersionNode, reason?: string) => {
      const { name, version } = node.version;
      if (reason === undefined) {
        const held = node.version.aliases.map((a) => `@${a}`).join(', ');
        // Archiving what production points at takes its alias away: say so before, not after.
        if (held) {
          const go = 'Archive';
          const choice = await vscode.window.showWarningMessage(`${name} v${version} holds ${held}.`, { modal: true, detail: `Archiving it removes ${held}: anything that loads models:/${name}@${node.version.aliases[0] ?? ''} stops finding a version until another is promoted.` }, go);
          if (choice !== go) return undefined;
        }
        const given = await vscode.window.showInputBox({
          title: `Archive ${name} v${version}`,
          prompt: `Retire this version: it is tagged retired and hidden from the Models view.${held ? ` It loses ${held}.` : ''} Reason (optional):`,
        });
        if (given === undefined) return undefined;
        reason = given;
      }
      const store = await node.root.open();
      if (!store) return undefined;
      try {
        const entry = await archiveVersion(requireWriter(store, `archive ${name} v${version}`), { name, version, actor: currentUserName(), ...(reason.trim() ? { reason: reason.trim() } : {}) });
        changes.publish({ kind: 'data', rootId: node.root.id });
        return entry;
      } catch (err) {
        failed(`archive ${name} v${version}`, err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.restoreModelVersion', async (node: VersionNode, reason?: string) => {
      const { name, version } = node.version;
      if (reason === undefined) {
        const given = await vscode.window.showInputBox({ title: `Restore ${name} v${version}`, prompt: 'It becomes active again (without its old aliases). Reason (optional):' });
        if (given === undefined) return undefined;
        reason = given;
      }
      const store = await node.root.open();
      if (!store) return undefined;
      try {
        const entry = await restoreVersion(requireWriter(store, `restore ${name} v${version}`), { name, version, actor: currentUserName(), ...(reason.trim() ? { reason: reason.trim() } : {}) });
        changes.publish({ kind: 'data', rootId: node.root.id });
        return entry;
      } catch (err) {
        failed(`restore ${name} v${version}`, err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.showRetiredVersions', () => setShowRetired(true)),
    vscode.commands.registerCommand('labbook.hideRetiredVersions', () => setShowRetired(false)),
  ];
}
