// How the Feature Store view reads: its nodes and how each looks (label, description, Markdown
// tooltip, codicon). Plain functions, no `vscode`: unit-tested in Node; featureStoreTree.ts maps
// them onto TreeItems.
import { formatTtl, type FeastField, type FeastObject, type FeastObjectKind, type FeastProject, type FeastRegistry, type Tags } from '../../core/feast/feastRegistry.ts';
import type { FeastReadFailure } from '../../core/feast/readFeastRegistry.ts';
import { escapeMarkdown } from '../trees/runFormat.ts';

/** A Feast repository of the workspace: the folder of its feature_store.yaml. */
export interface FeastRepo {
  readonly folder: string;
  /** The folder as the view names it: relative to the workspace, or its base name. */
  readonly label: string;
}

export type FeatureStoreNode =
  | { readonly kind: 'repo'; readonly repo: FeastRepo }
  | { readonly kind: 'loading'; readonly repo: FeastRepo }
  | { readonly kind: 'failure'; readonly repo: FeastRepo; readonly failure: FeastReadFailure }
  | { readonly kind: 'untrusted' }
  | { readonly kind: 'project'; readonly repo: FeastRepo; readonly registry: FeastRegistry; readonly project: FeastProject }
  | { readonly kind: 'group'; readonly repo: FeastRepo; readonly project: string; readonly group: FeastObjectKind; readonly objects: readonly FeastObject[] }
  | { readonly kind: 'object'; readonly repo: FeastRepo; readonly project: string; readonly object: FeastObject }
  | { readonly kind: 'feature'; readonly parent: string; readonly field: FeastField }
  | { readonly kind: 'projection'; readonly service: string; readonly featureView: string; readonly features: readonly string[] };

export interface NodeLook {
  readonly label: string;
  readonly description?: string;
  /** Markdown; every value from the registry escaped. */
  readonly tooltip?: string;
  readonly icon: string;
  /** A theme colour id for the icon. */
  readonly color?: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
  readonly contextValue: string;
}

const GROUPS: readonly { kind: FeastObjectKind; title: string; icon: string; key: keyof Omit<FeastProject, 'name'> }[] = [
  { kind: 'entity', title: 'Entities', icon: 'symbol-key', key: 'entities' },
  { kind: 'dataSource', title: 'Data Sources', icon: 'database', key: 'dataSources' },
  { kind: 'featureView', title: 'Feature Views', icon: 'table', key: 'featureViews' },
  { kind: 'onDemandFeatureView', title: 'On-Demand Feature Views', icon: 'symbol-function', key: 'onDemandFeatureViews' },
  { kind: 'featureService', title: 'Feature Services', icon: 'package', key: 'featureServices' },
];

const group = (kind: FeastObjectKind) => GROUPS.find((g) => g.kind === kind) ?? GROUPS[0]!;

/** A project's groups, the empty ones left out; objects by name in each. */
export function projectGroups(repo: FeastRepo, project: FeastProject): FeatureStoreNode[] {
  const byName = (objects: readonly FeastObject[]) => [...objects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return GROUPS.filter((g) => project[g.key].length > 0).map((g) => ({ kind: 'group', repo, project: project.name, group: g.kind, objects: byName(project[g.key]) }));
}

/** An object's children: the features of a view, the projections of a service. */
export function objectChildren(object: FeastObject): FeatureStoreNode[] {
  switch (object.kind) {
    case 'featureView':
    case 'onDemandFeatureView':
      return object.features.map((field) => ({ kind: 'feature', parent: object.name, field }));
    case 'featureService':
      return object.features.map((p) => ({ kind: 'projection', service: object.name, featureView: p.featureView, features: p.features }));
    default:
      return [];
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function tagLines(tags: Tags): string[] {
  const entries = Object.entries(tags);
  return entries.length ? ['', '**Tags**', '', ...entries.map(([k, v]) => `- ${escapeMarkdown(k)}: ${escapeMarkdown(v)}`)] : [];
}

function schemaLines(title: string, fields: readonly FeastField[]): string[] {
  if (!fields.length) return [];
  return [
    '',
    `**${title}**`,
    '',
    '| name | type | description |',
    '| --- | --- | --- |',
    ...fields.map((f) => `| ${escapeMarkdown(f.name)} | ${escapeMarkdown(f.dtype)} | ${escapeMarkdown(f.description)} |`),
  ];
}

function header(object: FeastObject, what: string): string[] {
  return [
    `**${escapeMarkdown(object.name)}** — ${what}`,
    ...(object.description ? ['', escapeMarkdown(object.description)] : []),
    ...(object.owner ? ['', `Owner: ${escapeMarkdown(object.owner)}`] : []),
  ];
}

/** The object's one-line summary beside its name. */
export function objectDescription(object: FeastObject): string {
  switch (object.kind) {
    case 'entity':
      return `${object.joinKeys.join(', ')}${object.valueType !== 'UNKNOWN' ? ` · ${object.valueType}` : ''}`;
    case 'dataSource':
      return object.type;
    case 'featureView':
      return [plural(object.features.length, 'feature'), object.entities.join(', '), object.ttlSeconds !== undefined ? `ttl ${formatTtl(object.ttlSeconds)}` : '', object.online ? 'online' : 'offline only']
        .filter(Boolean)
        .join(' · ');
    case 'onDemandFeatureView':
      return `${plural(object.features.length, 'feature')} · from ${object.sources.join(', ')}`;
    case 'featureService':
      return `${plural(object.features.reduce((n, p) => n + p.features.length, 0), 'feature')} from ${plural(object.features.length, 'view')}`;
  }
}

/** The object's hover: what it is, its schema and its tags. */
export function objectTooltip(object: FeastObject): string {
  const lines: string[] = [];
  switch (object.kind) {
    case 'entity':
      lines.push(...header(object, 'entity'), '', `Join keys: ${object.joinKeys.map(escapeMarkdown).join(', ')}`, '', `Value type: ${escapeMarkdown(object.valueType)}`);
      break;
    case 'dataSource':
      lines.push(...header(object, escapeMarkdown(object.type)));
      if (object.timestampField) lines.push('', `Timestamp: ${escapeMarkdown(object.timestampField)}`);
      for (const [key, value] of Object.entries(object.detail)) lines.push('', `${escapeMarkdown(key)}: ${escapeMarkdown(value)}`);
      break;
    case 'featureView':
      lines.push(
        ...header(object, object.viewKind === 'FeatureView' ? 'feature view' : escapeMarkdown(object.viewKind)),
        '',
        `Entities: ${object.entities.length ? object.entities.map(escapeMarkdown).join(', ') : 'none'}`,
        '',
        `Source: ${object.source ? escapeMarkdown(object.source) : '—'}${object.streamSource ? ` (stream: ${escapeMarkdown(object.streamSource)})` : ''}`,
        '',
        `TTL: ${formatTtl(object.ttlSeconds)} · ${object.online ? 'online' : 'not online'}${object.offline ? ' · offline' : ''}`,
        ...schemaLines('Features', object.features),
        ...schemaLines('Entity columns', object.entityColumns),
      );
      break;
    case 'onDemandFeatureView':
      lines.push(...header(object, 'on-demand feature view'), '', `Sources: ${object.sources.map(escapeMarkdown).join(', ')}`, ...(object.mode ? ['', `Mode: ${escapeMarkdown(object.mode)}`] : []), ...schemaLines('Features', object.features));
      break;
    case 'featureService':
      lines.push(...header(object, 'feature service'), '', '**Features**', '', ...object.features.map((p) => `- ${escapeMarkdown(p.featureView)}: ${p.features.map(escapeMarkdown).join(', ')}`));
      break;
  }
  lines.push(...tagLines(object.tags));
  if (object.location) lines.push('', `Declared in ${escapeMarkdown(object.location.file)}, line ${object.location.line}`);
  else lines.push('', '_Not found in the repository\'s Python files (declared elsewhere, or with a name that is not a string)._');
  return lines.join('\n');
}

/** How `node` looks in the view. */
export function nodeLook(node: FeatureStoreNode): NodeLook {
  switch (node.kind) {
    case 'repo':
      return { label: node.repo.label, tooltip: escapeMarkdown(node.repo.folder), icon: 'folder', collapsible: 'expanded', contextValue: 'labbook.feastRepo' };
    case 'loading':
      return { label: 'Reading the registry through Feast…', icon: 'loading~spin', collapsible: 'none', contextValue: 'labbook.feastLoading' };
    case 'untrusted':
      return {
        label: 'Trust this workspace to read its Feast registry',
        tooltip: 'Reading the registry runs Feast in your Python interpreter, which Restricted Mode does not allow.',
        icon: 'shield',
        collapsible: 'none',
        contextValue: 'labbook.feastUntrusted',
      };
    case 'failure':
      return {
        label: node.failure.kind === 'missing' ? 'Feast is not installed' : node.failure.kind === 'repo' ? 'Feast could not read the repository' : 'The registry could not be read',
        description: node.failure.kind === 'missing' ? 'Install…' : 'Details…',
        tooltip: escapeMarkdown(node.failure.message),
        icon: 'error',
        color: 'list.errorForeground',
        collapsible: 'none',
        contextValue: `labbook.feastFailure.${node.failure.kind}`,
      };
    case 'project': {
      const current = node.project.name === node.registry.project;
      return {
        label: node.project.name,
        description: current ? `Feast ${node.registry.feastVersion} · ${node.registry.provider} · ${node.registry.registry.type} registry` : 'another project in the registry',
        tooltip: [`**${escapeMarkdown(node.project.name)}**`, '', `Registry: ${escapeMarkdown(node.registry.registry.type)}${node.registry.registry.path ? ` (${escapeMarkdown(node.registry.registry.path)})` : ''}`, '', `Repository: ${escapeMarkdown(node.repo.folder)}`].join('\n'),
        icon: 'symbol-namespace',
        collapsible: current ? 'expanded' : 'collapsed',
        contextValue: 'labbook.feastProject',
      };
    }
    case 'group': {
      const g = group(node.group);
      return { label: g.title, description: String(node.objects.length), icon: g.icon, collapsible: 'collapsed', contextValue: 'labbook.feastGroup' };
    }
    case 'object':
      return {
        label: node.object.name,
        description: objectDescription(node.object),
        tooltip: objectTooltip(node.object),
        icon: group(node.object.kind).icon,
        collapsible: objectChildren(node.object).length ? 'collapsed' : 'none',
        contextValue: `labbook.feastObject.${node.object.kind}${node.object.location ? '.declared' : ''}`,
      };
    case 'feature':
      return {
        label: node.field.name,
        description: node.field.dtype,
        tooltip: [`**${escapeMarkdown(node.field.name)}**: ${escapeMarkdown(node.field.dtype)}`, ...(node.field.description ? ['', escapeMarkdown(node.field.description)] : []), ...tagLines(node.field.tags)].join('\n'),
        icon: 'symbol-field',
        collapsible: 'none',
        contextValue: 'labbook.feastFeature',
      };
    case 'projection':
      return { label: node.featureView, description: node.features.join(', '), icon: 'table', collapsible: 'none', contextValue: 'labbook.feastProjection' };
  }
}

/** A stable id for the tree (expansion kept across refreshes). */
export function nodeId(node: FeatureStoreNode): string | undefined {
  switch (node.kind) {
    case 'repo':
      return `repo:${node.repo.folder}`;
    case 'project':
      return `project:${node.repo.folder}:${node.project.name}`;
    case 'group':
      return `group:${node.repo.folder}:${node.project}:${node.group}`;
    case 'object':
      return `object:${node.repo.folder}:${node.project}:${node.object.kind}:${node.object.name}`;
    default:
      return undefined;
  }
}
