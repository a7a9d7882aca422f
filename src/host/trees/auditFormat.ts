// How the Models view shows one audit-trail entry (a promotion, an override, a demotion, an
// archive): plain text for the label, description and tooltip, so Node tests cover it.
import type { AuditEntry } from '../../core/lifecycle/lifecycle.ts';

export interface AuditText {
  readonly label: string;
  readonly description: string;
  /** Markdown-free lines: the tree provider escapes them. */
  readonly details: readonly string[];
  /** A codicon id. */
  readonly icon: string;
}

const when = (time: number) => new Date(time).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const v = (version: string | null | undefined) => (version ? `v${version}` : 'none');

export function auditText(entry: AuditEntry): AuditText {
  const alias = entry.alias ? `@${entry.alias}` : '';
  let label: string;
  let icon: string;
  switch (entry.action) {
    case 'promote':
      label = `${alias} → ${v(entry.toVersion)}`;
      icon = 'arrow-up';
      break;
    case 'override':
      label = `${alias} → ${v(entry.toVersion)} (override)`;
      icon = 'warning';
      break;
    case 'demote':
      label = `${alias} removed from ${v(entry.fromVersion)}`;
      icon = 'arrow-down';
      break;
    case 'archive':
      label = `${v(entry.toVersion ?? entry.fromVersion)} archived`;
      icon = 'archive';
      break;
    case 'restore':
      label = `${v(entry.toVersion ?? entry.fromVersion)} restored`;
      icon = 'discard';
      break;
  }
  const details = [
    `${label}`,
    `By ${entry.actor}, ${when(entry.time)}`,
    entry.action === 'promote' || entry.action === 'override' ? `From ${v(entry.fromVersion)} to ${v(entry.toVersion)}` : '',
    entry.reason ? `Reason: ${entry.reason}` : '',
    entry.gate ? `Gate ${entry.gate.passed ? 'passed' : 'failed'}:` : '',
    ...(entry.gate?.checks ?? []).map((c) => `${c.passed ? '✓' : '✗'} ${c.rule}: ${c.detail}`),
  ].filter(Boolean);
  return { label, description: `${entry.action === 'override' ? 'gate overridden · ' : ''}${entry.actor} · ${when(entry.time)}`, details, icon };
}
