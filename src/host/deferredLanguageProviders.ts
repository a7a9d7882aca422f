// The runs lens and the parameter hovers, registered at activation (a Python file or a notebook
// opening activates Labbook) without starting Labbook's services for a workspace that has no
// local store: until the services run, these stand-ins answer nothing unless the store file exists,
// and then start the services and hand over to the real providers (the container's).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { localStorePath } from './stores/localStorePath.ts';

/** Python scripts on disk and the cells of notebooks. */
export const RUNS_LENS_SELECTOR: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'python', scheme: 'vscode-notebook-cell' },
];

/** Where parameters are: Python files and notebook cells, and config files. */
export const PARAM_HOVER_SELECTOR: vscode.DocumentSelector = [
  ...RUNS_LENS_SELECTOR,
  // By name, not language: a YAML file reads as plain text where no YAML extension is installed.
  { scheme: 'file', pattern: '**/*.{yaml,yml,json}' },
];

/** The real provider once the services run, or undefined (nothing to show). */
export type ProviderSource<P> = () => P | undefined;

/** The real provider: the services' one when they run; when they don't, started only for a workspace whose local store exists. */
export function providerSource<P>(running: () => P | undefined, start: () => P): ProviderSource<P> {
  return () => {
    const real = running();
    if (real) return real;
    const file = localStorePath();
    return file && existsSync(file) ? start() : undefined;
  };
}

export class DeferredCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private forwarding: vscode.Disposable | undefined;

  constructor(private readonly source: ProviderSource<vscode.CodeLensProvider>) {}

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.ProviderResult<vscode.CodeLens[]> {
    const real = this.source();
    if (!real) return [];
    this.forwarding ??= real.onDidChangeCodeLenses?.(() => this.changed.fire());
    return real.provideCodeLenses(document, token);
  }

  resolveCodeLens(lens: vscode.CodeLens, token: vscode.CancellationToken): vscode.ProviderResult<vscode.CodeLens> {
    const real = this.source();
    return real?.resolveCodeLens ? real.resolveCodeLens(lens, token) : lens;
  }

  /** Asks VS Code for the lenses again (the services just started, e.g. with a first launch). */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
  }
}

export class DeferredHoverProvider implements vscode.HoverProvider {
  constructor(private readonly source: ProviderSource<vscode.HoverProvider>) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.ProviderResult<vscode.Hover> {
    return this.source()?.provideHover(document, position, token);
  }
}
