// `npm run demo`: Labbook in a real VS Code (code-server, on 127.0.0.1) on the demo workspace,
// installed from the VSIX this checkout builds, with the local store. Ctrl-C stops it.
//   npm run demo -- [--port 8080] [--workspace DIR]
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { freePort, installVsix, makeProfile, startServer } from './lib/codeServer.mjs';
import { cache, ensureCodeServer, root } from './lib/tools.mjs';
import { packageVsix } from './package.mjs';

/** Starts the demo; resolves once VS Code answers. */
export async function startDemo({ port, workspace = path.join(cache, 'demo-workspace'), log } = {}) {
  const codeServer = ensureCodeServer();
  const vsix = packageVsix({ quiet: true });
  if (!existsSync(workspace)) {
    mkdirSync(path.dirname(workspace), { recursive: true });
    cpSync(path.join(root, 'demo', 'workspace'), workspace, { recursive: true });
  }
  const profile = makeProfile('labbook-demo-');
  installVsix(codeServer, profile, vsix);
  const server = await startServer({ codeServerPkg: codeServer, profile, port: port ?? (await freePort()), mode: 'code-server', workspace, log });
  return {
    url: `${server.url}?folder=${encodeURIComponent(workspace)}`,
    workspace,
    vsix,
    async stop() {
      await server.stop();
      rmSync(profile.dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const wanted = Number(arg('--port') ?? process.env.LABBOOK_DEMO_PORT ?? 8080);
  const port = await new Promise((resolve) => {
    // Use the wanted port when free, any free one otherwise.
    import('node:net').then(({ createServer }) => {
      const probe = createServer().once('error', () => resolve(undefined));
      probe.listen(wanted, '127.0.0.1', () => probe.close(() => resolve(wanted)));
    });
  });
  const workspace = arg('--workspace');
  const demo = await startDemo({ port, ...(workspace ? { workspace: path.resolve(workspace) } : {}) });
  console.log(`\nLabbook demo is running in VS Code (code-server) on the workspace ${demo.workspace}`);
  console.log(`Open ${demo.url}\nin a browser; Labbook is the notebook icon in the activity bar. Ctrl-C stops it.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
