import assert from 'node:assert/strict';
import { createNonce, renderWebviewHtml } from '../../../src/host/panels/webviewHtml.ts';

const page = {
  title: 'Labbook <Home>',
  cspSource: 'https://resource.example',
  nonce: 'abc123',
  scriptUri: 'https://resource.example/dist/webview/home.js?a=1&b="2"',
  styleUris: ['https://resource.example/media/webview.css'],
};

function csp(html: string): string {
  const match = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  assert.ok(match, 'no CSP meta tag');
  return match[1] ?? '';
}

describe('host/panels: webview HTML', () => {
  it('has a strict CSP: nothing by default, scripts only by nonce, no unsafe-inline or unsafe-eval', () => {
    const policy = csp(renderWebviewHtml(page));
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'nonce-abc123'(;|$)/);
    assert.match(policy, /style-src https:\/\/resource\.example(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
  });

  it('loads only the nonce-tagged bundle and the given stylesheets', () => {
    const html = renderWebviewHtml(page);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0] ?? '', /nonce="abc123"/);
    assert.match(scripts[0] ?? '', /src="https:\/\/resource\.example\/dist\/webview\/home\.js\?a=1&amp;b=&quot;2&quot;"/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/resource\.example\/media\/webview\.css">/);
    assert.match(html, /<title>Labbook &lt;Home&gt;<\/title>/);
  });

  it('inlines a boot script with the nonce before the stylesheets, where it cannot end its own tag', () => {
    const html = renderWebviewHtml({ ...page, bootScript: 'window.x = "</script><b>x</b></SCRIPT >";' });
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, ['<script nonce="abc123">', '<script type="module" nonce="abc123" src="https://resource.example/dist/webview/home.js?a=1&amp;b=&quot;2&quot;">']);
    assert.ok(html.indexOf('<script nonce') < html.indexOf('<link rel="stylesheet"'));
    // Only the two scripts' own end tags end a script: the string's are escaped (the same string in JS).
    assert.equal(html.match(/<\/script/gi)?.length, 2);
    assert.match(html, /<script nonce="abc123">window\.x = "<\\\/script><b>x<\/b><\\\/SCRIPT >";<\/script>/);
    // The policy does not change: the boot runs by nonce, like the bundle.
    assert.equal(csp(html), csp(renderWebviewHtml(page)));
  });

  it('makes a fresh unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
  });
});
