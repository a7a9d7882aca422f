// No `vscode` import here: the page is plain text, so it is unit-tested in plain Node.
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  readonly title: string;
  /** `webview.cspSource`: the origin webview resources are served from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  /**
   * A small script run as the HTML is parsed, before the styles and the bundle arrive (an app's
   * boot.ts, built): inline, with the page's nonce like every script.
   */
  readonly bootScript?: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The HTML shell of every Labbook webview. Strict CSP: scripts only with this page's nonce (the
 * bundle, and a boot script built from webview/ where an app has one), styles and images only from
 * the extension's resource origin, no inline style, no eval.
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
  // Before the stylesheets: a script after a pending stylesheet waits for it.
  const boot = page.bootScript === undefined ? '' : `  <script nonce="${escapeAttr(page.nonce)}">${page.bootScript.replace(/<\/(script)/gi, '<\\/$1')}</script>\n`;
  const styles = page.styleUris.map((href) => `  <link rel="stylesheet" href="${escapeAttr(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${boot}  <title>${escapeText(page.title)}</title>
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
