// What the analysis of one code cell finds: the names it defines and uses in source order, its
// imports, its top-level functions and classes, and the statements a parameters cell may hold.
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { ValueKind } from './model.ts';

export type NameEventKind = 'use' | 'def' | 'mutate' | 'del';

export interface NameEvent {
  kind: NameEventKind;
  name: string;
  /** 1-based line in the cell. */
  line: number;
  /** A read that happens when a function defined here is called, not now. */
  deferred?: boolean;
  /** The top-level def/class whose body or decorators produced it (moved with it if it is shared). */
  owner?: string;
  /** A plain `name = …` at the cell's top level (not inside a block): safe to `del` afterwards. */
  plain?: boolean;
  kindHint?: ValueKind;
  /** Why the assigned value is unlikely to survive pickling, when it looks so. */
  unserializable?: string;
}

export type ImportSpec =
  | { kind: 'import'; module: string; alias?: string }
  | { kind: 'from'; module: string; name: string; alias?: string };

export interface ImportBinding {
  /** The name the statement binds. */
  name: string;
  spec: ImportSpec;
  line: number;
}

export interface TopDefinition {
  name: string;
  kind: 'function' | 'class';
  /** Its source, decorators included. */
  text: string;
  start: number;
  end: number;
  line: number;
  /** Names its body reads from module level. */
  free: Array<{ name: string; line: number }>;
  /** Names it assigns under `global`. */
  writesGlobals: string[];
}

export interface LiteralAssignment {
  name: string;
  value: JsonValue;
  literal: string;
  line: number;
}

export interface CellAnalysis {
  events: NameEvent[];
  imports: ImportBinding[];
  starImports: Array<{ module: string; line: number }>;
  /** Source ranges of top-level import statements (hoisted to module top in generated code). */
  importRanges: Array<{ start: number; end: number }>;
  topDefinitions: TopDefinition[];
  /** Top-level `name = literal` statements (what a parameters cell should hold). */
  literals: LiteralAssignment[];
  /** Top-level statements that are not literal assignments (with their ranges), for the parameters cell. */
  otherStatements: Array<{ start: number; end: number; line: number }>;
  syntaxErrors: number[];
}
