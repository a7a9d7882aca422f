// No `vscode` import here: the page is plain text, so it is unit-tested in plain Node.
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  readonly title: string;
  /** `webview.cspSource`: the origin webview resources are served from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
}

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The HTML shell of every Labbook webview. Strict CSP: scripts only with this page's nonce,
 * styles and images only from the extension's resource origin, no inline code, no eval.
 * Lit (inside @vscode-elements) uses constructable stylesheets, which style-src does not govern.
 */
export function renderWebviewHtml(page: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${page.nonce}'`,
    `style-src ${page.cspSource}`,
    `img-src ${page.cspSource} data:`,
    `font-src ${page.cspSource}`,
  ].join('; ');
  const styles = page.styleUris.map((href) => `  <link rel="stylesheet" href="${escapeAttr(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${escapeText(page.title)}</title>
${styles}
</head>
<body>
  <main id="app" aria-busy="true"></main>
  <script type="module" nonce="${escapeAttr(page.nonce)}" src="${escapeAttr(page.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
