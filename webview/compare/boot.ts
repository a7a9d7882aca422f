// The Compare page's first script, inlined in its HTML (see WebviewPanelHost): it runs as the HTML
// is parsed, so the host's answers are on their way while compare.js is fetched and compiled.
import { OPENING_KEY, openCompare } from './opening.ts';

(window as unknown as Record<string, unknown>)[OPENING_KEY] = openCompare();
