import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isTabularFile, TABULAR_EXTENSIONS, TABULAR_FILE_PATTERN } from '../../src/core/profile/tabularFiles.ts';

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
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    walkthroughs: { id: string; title: string; description: string; steps: WalkthroughStep[] }[];
  };
}
interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { image?: string; altText?: string; markdown?: string };
  completionEvents?: string[];
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
    assert.deepEqual([...views], ['labbook.experiments', 'labbook.models', 'labbook.queue', 'labbook.featureStore']);
  });

  it('documents every setting, all under labbook.', () => {
    assert.equal(manifest.contributes.configuration.title, 'Labbook');
    for (const [key, spec] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.match(key, /^labbook\./);
      assert.ok(spec.description ?? spec.markdownDescription, `${key} has no description`);
    }
  });

  it('offers Compare Data with Training Data in the Explorer on exactly the tabular files the profiler reads, any case', () => {
    const entry = manifest.contributes.menus['explorer/context']?.find((m) => m.command === 'labbook.compareDataWithTrainingData');
    const match = /resourceFilename =~ \/(.+)\/(i?)$/.exec(entry?.when ?? '');
    assert.ok(match?.[1], `the when clause ${entry?.when} tests resourceFilename with a regex`);
    assert.equal(match[1], TABULAR_FILE_PATTERN.source, 'the when clause lists the extensions of src/core/profile/tabularFiles.ts');
    assert.equal(match[2], 'i', 'case-insensitive (DATA.CSV)');
    const when = new RegExp(match[1], match[2]);
    for (const ext of TABULAR_EXTENSIONS) {
      for (const name of [`a${ext}`, `A${ext.toUpperCase()}`, `a${ext}.gz`]) assert.equal(when.test(name), isTabularFile(name), name);
    }
    for (const name of ['package.json', 'a.txt', 'a.csv.bak', 'a.parquet.gz']) assert.equal(when.test(name), false, name);
  });

  describe('the getting-started walkthrough and the keybindings', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    const views = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
    /** A command a link may run: one of ours, or the focus command VS Code makes for each of our views. */
    const runnable = (command: string) => commands.has(command) || (command.endsWith('.focus') && views.has(command.slice(0, -'.focus'.length)));

    it('has one walkthrough whose steps each show an image that ships, a button and a completion event', () => {
      const [walkthrough, ...others] = manifest.contributes.walkthroughs;
      assert.ok(walkthrough);
      assert.equal(others.length, 0);
      assert.equal(walkthrough.id, 'gettingStarted');
      assert.deepEqual(
        walkthrough.steps.map((s) => s.id),
        ['localStore', 'trackedRun', 'compareRuns', 'notebookDiff', 'pipelineExport', 'trackingServer'],
      );
      for (const step of walkthrough.steps) {
        const image = step.media.image ?? '';
        assert.match(image, /^media\/walkthrough\/[\w-]+\.png$/, `${step.id}: its image is under media/ (which .vscodeignore ships)`);
        const file = new URL(`../../${image}`, import.meta.url);
        assert.ok(existsSync(file), `${step.id}: ${image} is missing`);
        // Small enough for the VSIX, and not an empty file.
        assert.ok(statSync(file).size > 1_000 && statSync(file).size < 400_000, `${step.id}: ${image} is ${statSync(file).size} bytes`);
        assert.ok(step.media.altText, `${step.id} has no alt text`);
        const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1] ?? '');
        assert.ok(links.length > 0, `${step.id} has no command button`);
        for (const command of links) assert.ok(runnable(command), `${step.id} links unknown ${command}`);
        assert.ok(step.completionEvents?.length, `${step.id} has no completion event`);
        for (const event of step.completionEvents) {
          const [kind, name] = event.split(':') as [string, string];
          if (kind === 'onCommand') assert.ok(commands.has(name), `${step.id} completes on unknown command ${name}`);
          else if (kind === 'onView') assert.ok(views.has(name), `${step.id} completes on unknown view ${name}`);
          else assert.fail(`${step.id}: unexpected completion event ${event}`);
        }
      }
      assert.ok(commands.has('labbook.openWalkthrough'));
    });

    it('has keybindings only for contributed commands, each with a when clause and no duplicate key in one context', () => {
      const { keybindings } = manifest.contributes;
      assert.ok(keybindings.length > 0);
      const linuxKeys = new Set<string>();
      const macKeys = new Set<string>();
      for (const binding of keybindings) {
        assert.ok(commands.has(binding.command), `a keybinding names unknown ${binding.command}`);
        assert.ok(binding.when && binding.when.trim().length > 0, `${binding.command} (${binding.key}) has no when clause`);
        linuxKeys.add(`${binding.key}|${binding.when}`);
        macKeys.add(`${binding.mac ?? binding.key}|${binding.when}`);
      }
      assert.equal(linuxKeys.size, keybindings.length, 'two keybindings share a key and a when clause');
      assert.equal(macKeys.size, keybindings.length, 'two keybindings share a macOS key and a when clause');
      const keysOf = (command: string) => keybindings.filter((b) => b.command === command);
      assert.ok(keysOf('labbook.compareRuns').every((b) => b.when === 'focusedView == labbook.experiments && listMultiSelection'));
      assert.ok(keysOf('labbook.runPythonFile').every((b) => /editorLangId == python/.test(b.when ?? '') && /!inDebugMode/.test(b.when ?? '')));
      for (const command of ['labbook.nextNotebookDiffChange', 'labbook.previousNotebookDiffChange']) {
        assert.ok(keysOf(command).length > 0 && keysOf(command).every((b) => b.when === "activeWebviewPanelId == 'labbook.notebookDiff'"), command);
      }
    });

    it('keeps clear of VS Code\'s F5 family: no bare F5, Ctrl+F5, Shift+F5; Ctrl+Shift+F5 only outside a debug session', () => {
      for (const binding of manifest.contributes.keybindings) {
        for (const key of [binding.key, binding.mac].filter((k): k is string => k !== undefined)) {
          assert.ok(!['f5', 'ctrl+f5', 'cmd+f5', 'shift+f5'].includes(key), `${binding.command} takes ${key}`);
          if (/^(ctrl|cmd)\+shift\+f5$/.test(key)) assert.match(binding.when ?? '', /!inDebugMode/, `${binding.command}: ${key} is Restart while debugging`);
          // Ctrl+Alt+F<n> switches virtual terminals on Linux, Cmd+Alt+F5 opens macOS's accessibility shortcuts.
          assert.ok(!/^(ctrl|cmd)\+alt\+f\d+$/.test(key), `${binding.command}: ${key} is taken by the operating system`);
        }
      }
    });
  });
});
