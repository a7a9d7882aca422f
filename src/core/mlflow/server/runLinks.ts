/**
 * The links the `mlflow` client prints (`View run … at: http://127.0.0.1:<port>/#/experiments/1/runs/<id>`):
 * Labbook's endpoint answers `/` with a small page that reads the fragment and hands the run to
 * VS Code through the extension's URI handler (`<scheme>://<publisher>.labbook/run?…`), and says how
 * to open it by hand where no handler answers. The page shows no tracking data and needs no token;
 * its one script carries a fresh nonce under a CSP that allows nothing else.
 */
import { randomBytes } from 'node:crypto';

export interface RunLinkOptions {
  /** `vscode.env.uriScheme`: `vscode`, `vscode-insiders`, `code-oss`, … Default `vscode`. */
  readonly uriScheme?: string;
  /** `<publisher>.<name>` of the extension that registered the handler. Default `labbook.labbook`. */
  readonly extensionId?: string;
}

export const RUN_LINK_PATH = '/run';

/** Run and experiment ids as MLflow makes them (hex run ids, numeric experiment ids), bounded. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EXPERIMENT_ID = /^\d{1,19}$/;

export interface RunLink {
  readonly runId: string;
  readonly experimentId?: string;
}

/** The handler's URI for a run. */
export function runLinkUri(options: RunLinkOptions, link: RunLink): string {
  const query = new URLSearchParams({ run: link.runId, ...(link.experimentId ? { experiment: link.experimentId } : {}) });
  return `${scheme(options)}://${extensionId(options)}${RUN_LINK_PATH}?${query.toString()}`;
}

/** Reads a handler URI's path and query; undefined for anything that is not a well-formed run link. */
export function parseRunLink(path: string, query: string): RunLink | undefined {
  if (path !== RUN_LINK_PATH) return undefined;
  const params = new URLSearchParams(query);
  const runId = params.get('run') ?? '';
  const experimentId = params.get('experiment') ?? '';
  if (!RUN_ID.test(runId) || (experimentId !== '' && !EXPERIMENT_ID.test(experimentId))) return undefined;
  return experimentId ? { runId, experimentId } : { runId };
}

function scheme(options: RunLinkOptions): string {
  const value = options.uriScheme ?? 'vscode';
  return /^[a-z][a-z0-9+.-]{0,40}$/.test(value) ? value : 'vscode';
}

function extensionId(options: RunLinkOptions): string {
  const value = options.extensionId ?? 'labbook.labbook';
  return /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/i.test(value) ? value.toLowerCase() : 'labbook.labbook';
}

/** The landing page, with its nonce; send it with `landingPageHeaders`. */
export function landingPage(options: RunLinkOptions): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64');
  // Only constants that passed the checks above reach the page; the fragment is read client-side
  // and written with textContent and a checked href, never as HTML.
  const base = JSON.stringify(`${scheme(options)}://${extensionId(options)}${RUN_LINK_PATH}`);
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Labbook</title>
<style nonce="${nonce}">
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; }
code { background: #f0f2f4; padding: 0 0.25rem; border-radius: 3px; }
a.open { display: inline-block; margin: 0.5rem 0; padding: 0.4rem 0.9rem; background: #0b67c2; color: #fff; border-radius: 4px; text-decoration: none; }
[hidden] { display: none !important; }
</style>
</head>
<body>
<h1>Labbook</h1>
<p id="status">This is Labbook's MLflow-compatible tracking endpoint. It has no web interface: runs open in VS Code.</p>
<p><a id="open" class="open" hidden>Open in VS Code</a></p>
<div id="manual" hidden>
<p>If VS Code did not open the run: in VS Code, run the command <code>Labbook: Open Run by ID…</code> and enter</p>
<p><code id="run-id"></code></p>
<p>or find it in the Labbook Experiments view, under the local store's experiment <code id="experiment-id"></code>.</p>
</div>
<script nonce="${nonce}">
(function () {
  var match = /^#\\/experiments\\/(\\d{1,19})(?:\\/runs\\/([A-Za-z0-9_-]{1,64}))?\\/?$/.exec(window.location.hash);
  if (!match || !match[2]) return;
  var uri = ${base} + '?run=' + encodeURIComponent(match[2]) + '&experiment=' + encodeURIComponent(match[1]);
  document.getElementById('status').textContent = 'Opening run ' + match[2] + ' in VS Code…';
  var open = document.getElementById('open');
  open.setAttribute('href', uri);
  open.hidden = false;
  document.getElementById('run-id').textContent = match[2];
  document.getElementById('experiment-id').textContent = match[1];
  document.getElementById('manual').hidden = false;
  window.location.href = uri;
})();
</script>
</body>
</html>
`;
  return { html, nonce };
}

/** Headers for the landing page: a CSP that allows only its own nonce'd script and style. */
export function landingPageHeaders(nonce: string, length: number): Record<string, string | number> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': length,
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
