// `labbook diff` as a process: exit codes, options, errors, and git's external-diff protocol —
// including a real `git diff` in a temporary repository with the driver configured.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixturePath } from './fixtures.ts';

const cli = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function labbook(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const nb = (name: string) => fixturePath(name);

describe('cli: labbook diff', function () {
  this.timeout(60_000);

  it('exits 1 with the text diff when notebooks differ, 0 when they do not', async () => {
    const edited = await labbook(['diff', nb('workflow.ipynb'), nb('workflow-edited.ipynb')]);
    assert.equal(edited.code, 1, edited.stderr);
    assert.match(edited.stdout, /\n## modified cell 24 → 24 \[code\]\n@@ -1,6 \+1,6 @@\n/);
    assert.match(edited.stdout, /\n4 modified, 1 added, 1 removed, 51 unchanged \(11 cells with output-only changes hidden: --show-outputs\)\n$/);
    assert.ok(!edited.stdout.includes('\x1b['), 'no colour when not writing to a terminal');
    const noise = await labbook(['diff', nb('workflow.ipynb'), nb('workflow-noise.ipynb')]);
    assert.equal(noise.code, 0);
    assert.match(noise.stdout, /\nno differences\n$/);
  });

  it('turns each noise filter off with its flag', async () => {
    const counts = await labbook(['diff', '--show-execution-counts', nb('workflow.ipynb'), nb('workflow-noise.ipynb')]);
    assert.equal(counts.code, 1);
    assert.match(counts.stdout, /## modified cell 2 → 2 \[code\]\n {2}execution count: 1 → 41\n/);
    const volatile = await labbook(['diff', '--show-volatile-metadata', nb('workflow.ipynb'), nb('workflow-noise.ipynb')]);
    assert.equal(volatile.code, 1);
    assert.match(volatile.stdout, /\n {4}\+ ExecuteTime: \{"end_time":/);
    const outputs = await labbook(['diff', '--show-outputs', nb('workflow.ipynb'), nb('workflow-rerun.ipynb')]);
    assert.equal(outputs.code, 1);
    assert.match(outputs.stdout, /## modified cell 13 → 13 \[code\]\n {2}outputs:\n {2}~ output 1 \(execute_result\)\n {4}text\/html:/);
    assert.equal((await labbook(['diff', '--ignore-outputs', nb('workflow.ipynb'), nb('workflow-rerun.ipynb')])).code, 0);
  });

  it('prints the diff model with --json and colours with --color=always', async () => {
    const json = await labbook(['diff', '--json', nb('workflow.ipynb'), nb('workflow-moved.ipynb')]);
    assert.equal(json.code, 1);
    const model = JSON.parse(json.stdout) as { modelVersion: number; stats: { moved: number }; cells: Array<{ kind: string }> };
    assert.equal(model.modelVersion, 1);
    assert.equal(model.stats.moved, 4);
    assert.equal(model.cells.length, 56);
    const color = await labbook(['diff', '--color=always', nb('workflow.ipynb'), nb('workflow-edited.ipynb')]);
    assert.ok(color.stdout.includes('\x1b[1;36m## modified cell 24 → 24 [code]\x1b[0m'));
    const forced = await labbook(['diff', nb('workflow.ipynb'), nb('workflow-edited.ipynb')], { FORCE_COLOR: '1' });
    assert.ok(forced.stdout.includes('\x1b['));
    const never = await labbook(['diff', '--color=never', nb('workflow.ipynb'), nb('workflow-edited.ipynb')], { FORCE_COLOR: '1' });
    assert.ok(!never.stdout.includes('\x1b['));
  });

  it('exits 2 with a clear message on bad notebooks and bad arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['diff', nb('broken.ipynb'), nb('workflow.ipynb')], /broken\.ipynb is not valid JSON: unexpected "\\"", expected ',' or '}' at line 8, column 4\./],
      [['diff', nb('nbformat3.ipynb'), nb('workflow.ipynb')], /is an nbformat 3 notebook; Labbook reads nbformat 4\. Convert it with\n {2}jupyter nbconvert --to notebook --nbformat 4 /],
      [['diff', nb('no-cells.ipynb'), nb('workflow.ipynb')], /it has no 'cells' list/],
      [['diff', nb('workflow.ipynb'), nb('nope.ipynb')], /nope\.ipynb: cannot read the file \(ENOENT\)/],
      [['diff', nb('workflow.ipynb')], /expected two notebooks, got 1 argument/],
      [['diff', '--colour', nb('workflow.ipynb'), nb('workflow.ipynb')], /Unknown option '--colour'/],
      [['diff', '--color=sometimes', nb('workflow.ipynb'), nb('workflow.ipynb')], /--color must be auto, always or never/],
      [['diff', '--show-outputs', '--ignore-outputs', nb('workflow.ipynb'), nb('workflow.ipynb')], /contradict/],
      [['diff', '--git', 'a', 'b', 'c'], /--git expects the 7 arguments git passes/],
    ];
    for (const [args, message] of cases) {
      const result = await labbook(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    }
  });

  it('takes git external-diff arguments with --git, exits 0 on differences, and treats /dev/null as no notebook', async () => {
    const hex = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';
    const changed = await labbook(['diff', '--git', 'analysis/wine.ipynb', nb('workflow.ipynb'), hex, '100644', nb('workflow-edited.ipynb'), hex, '100644']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /^labbook diff a\/analysis\/wine\.ipynb b\/analysis\/wine\.ipynb\n/);
    assert.match(changed.stdout, /## modified cell 24 → 24 \[code\]/);
    const added = await labbook(['diff', '--git', 'new.ipynb', '/dev/null', '.', '.', nb('workflow.ipynb'), hex, '100644']);
    assert.equal(added.code, 0);
    assert.match(added.stdout, /\n56 added, 0 unchanged\n$/);
    const renamed = await labbook(['diff', '--git', 'old.ipynb', nb('workflow.ipynb'), hex, '100644', nb('workflow.ipynb'), hex, '100644', 'new.ipynb', 'similarity index 100%\nrename from old.ipynb\nrename to new.ipynb\n']);
    assert.equal(renamed.code, 0);
    assert.match(renamed.stdout, /^labbook diff a\/old\.ipynb b\/new\.ipynb\n/);
    const unmerged = await labbook(['diff', '--git', 'conflicted.ipynb']);
    assert.equal(unmerged.code, 0);
    assert.match(unmerged.stdout, /conflicted\.ipynb is unmerged/);
  });

  it('works as the diff driver of a real git repository', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'labbook-git-'));
    const run = (...args: string[]) => {
      const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_PAGER: 'cat', GIT_CONFIG_NOSYSTEM: '1', HOME: repo } });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    try {
      run('init', '-q');
      run('config', 'user.email', 'test@example.invalid');
      run('config', 'user.name', 'test');
      run('config', 'diff.labbook.command', `"${process.execPath}" "${cli}" diff --git`);
      writeFileSync(path.join(repo, '.gitattributes'), '*.ipynb diff=labbook\n');
      copyFileSync(nb('workflow.ipynb'), path.join(repo, 'wine.ipynb'));
      run('add', '.');
      run('commit', '-q', '-m', 'base');
      copyFileSync(nb('workflow-edited.ipynb'), path.join(repo, 'wine.ipynb'));
      const out = run('diff');
      assert.match(out, /^labbook diff a\/wine\.ipynb b\/wine\.ipynb\n/);
      assert.match(out, /\n## removed cell 25 \[code\]\n/);
      assert.match(out, /\n4 modified, 1 added, 1 removed, 51 unchanged/);
      // Without differences after filtering, git still gets exit 0 and a short answer.
      copyFileSync(nb('workflow-noise.ipynb'), path.join(repo, 'wine.ipynb'));
      assert.match(run('diff'), /\nno differences\n$/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
