import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

const cli = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

describe('cli: labbook serve', function () {
  this.timeout(30_000);

  it('serves a store file over MLflow REST with a token, prints how to use it, and stops on SIGINT', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-'));
    const file = path.join(dir, 'store', 'tracking.db');
    const child = spawn(process.execPath, [cli, 'serve', '--store', file, '--token', 'secret-token'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URI printed: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /MLFLOW_TRACKING_URI=(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      assert.match(out, /MLFLOW_TRACKING_TOKEN=secret-token/);
      const post = (token: string) =>
        fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'from-cli' }) });
      assert.equal((await post('wrong')).status, 401);
      const created = (await (await post('secret-token')).json()) as { experiment_id: string };
      assert.equal(created.experiment_id, '1');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      const store = new SqliteTrackingStore(file);
      assert.equal((await store.getExperimentByName('from-cli'))?.experimentId, '1');
      await store.close();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains its usage and refuses unknown commands', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /labbook <command>/);
    const bad = await run(['fly']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /unknown command 'fly'/);
    const badPort = await run(['serve', '--port', 'x']);
    assert.equal(badPort.code, 1);
    assert.match(badPort.out, /--port must be a port number/);
  });
});
