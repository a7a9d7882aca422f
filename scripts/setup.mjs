// Installs every tool the test tiers and the demo need (each once per machine, cached).
import { ensureChromium, ensureCodeServer, ensureFeastVenv, ensurePeerVenv, ensurePythonVenv } from './lib/tools.mjs';

console.log(`chromium:    ${ensureChromium()}`);
console.log(`code-server: ${ensureCodeServer()}`);
console.log(`python venv: ${ensurePythonVenv()}`);
console.log(`peers venv:  ${ensurePeerVenv()}`);
console.log(`feast venv:  ${ensureFeastVenv()}`);
