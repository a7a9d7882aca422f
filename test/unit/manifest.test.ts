import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface Command { command: string; title: string; category?: string; icon?: string }
interface Manifest {
  main: string;
  engines: { vscode: string; node: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  contributes: {
    commands: Command[];
    menus: Record<string, { command: string; when?: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    configuration: { title: string; properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Manifest;
const minor = (range: string) => Number(/\^?1\.(\d+)/.exec(range)?.[1]);

describe('package.json: the extension manifest', () => {
  it('targets VS Code >= 1.101 (extension host Node >= 22) and Node >= 22', () => {
    assert.ok(minor(manifest.engines.vscode) >= 101, manifest.engines.vscode);
    assert.match(manifest.engines.node, /^>=\s*22/);
    // vsce refuses @types/vscode newer than engines.vscode: the API we compile against must exist.
    assert.ok(minor(manifest.devDependencies['@types/vscode'] ?? '') <= minor(manifest.engines.vscode));
  });

  it('activates lazily', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('puts every command under the Labbook category with a title and a labbook. id', () => {
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Labbook', c.command);
      assert.match(c.command, /^labbook\.[a-zA-Z]+$/);
      assert.ok(c.title.length > 0 && c.title[0] === c.title[0]?.toUpperCase(), `${c.command} title ${c.title}`);
    }
  });

  it('menus, welcome content and views refer only to things that exist', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    const containers = new Set(manifest.contributes.viewsContainers.activitybar.map((c) => c.id));
    const views = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(commands.has(item.command), `${menu} names unknown ${item.command}`);
    }
    for (const container of Object.keys(manifest.contributes.views)) assert.ok(containers.has(container), container);
    for (const welcome of manifest.contributes.viewsWelcome) {
      assert.ok(views.has(welcome.view), welcome.view);
      for (const [, command] of welcome.contents.matchAll(/\(command:([\w.]+)\)/g)) {
        // VS Code's own commands (vscode.openFolder…) are not ours to contribute.
        if (command?.startsWith('labbook.')) assert.ok(commands.has(command), `welcome links unknown ${command}`);
      }
    }
    assert.deepEqual([...views], ['labbook.experiments', 'labbook.models']);
  });

  it('documents every setting, all under labbook.', () => {
    assert.equal(manifest.contributes.configuration.title, 'Labbook');
    for (const [key, spec] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.match(key, /^labbook\./);
      assert.ok(spec.description ?? spec.markdownDescription, `${key} has no description`);
    }
  });
});
