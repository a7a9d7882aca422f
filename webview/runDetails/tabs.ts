// The panel's tabs, after the WAI-ARIA tabs pattern: one tab stop, arrow keys / Home / End move
// between tabs and select them, each tab controls one panel.
import type { RunDetailsTab } from '../../src/protocol/runDetails.ts';
import { RUN_DETAILS_TABS } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';

export const TAB_LABELS: Readonly<Record<RunDetailsTab, string>> = {
  overview: 'Overview',
  params: 'Params',
  metrics: 'Metrics',
  tags: 'Tags & Note',
  artifacts: 'Artifacts',
  log: 'Log',
  code: 'Code',
  environment: 'Environment',
  data: 'Data',
};

export interface Tabs {
  readonly list: HTMLElement;
  readonly panels: Readonly<Record<RunDetailsTab, HTMLElement>>;
  select(tab: RunDetailsTab, focus?: boolean): void;
}

export function buildTabs(onSelect: (tab: RunDetailsTab) => void): Tabs {
  const buttons = {} as Record<RunDetailsTab, HTMLButtonElement>;
  const panels = {} as Record<RunDetailsTab, HTMLElement>;
  for (const tab of RUN_DETAILS_TABS) {
    buttons[tab] = el('button', {
      className: 'tab',
      text: TAB_LABELS[tab],
      attrs: { type: 'button', role: 'tab', id: `tab-${tab}`, 'aria-controls': `panel-${tab}`, 'aria-selected': 'false', tabindex: '-1', 'data-tab': tab },
    });
    panels[tab] = el('section', { className: 'tab-panel', attrs: { role: 'tabpanel', id: `panel-${tab}`, 'aria-labelledby': `tab-${tab}`, tabindex: '0', hidden: '' } });
  }
  const list = el('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Run details' } }, RUN_DETAILS_TABS.map((t) => buttons[t]));

  const select = (tab: RunDetailsTab, focus = false): void => {
    for (const t of RUN_DETAILS_TABS) {
      const on = t === tab;
      buttons[t].setAttribute('aria-selected', String(on));
      buttons[t].tabIndex = on ? 0 : -1;
      panels[t].hidden = !on;
    }
    if (focus) buttons[tab].focus();
  };

  list.addEventListener('click', (e) => {
    const tab = (e.target as HTMLElement).closest<HTMLElement>('[role=tab]')?.dataset.tab as RunDetailsTab | undefined;
    if (tab) onSelect(tab);
  });
  list.addEventListener('keydown', (e) => {
    const current = RUN_DETAILS_TABS.indexOf((e.target as HTMLElement).dataset.tab as RunDetailsTab);
    if (current < 0) return;
    const n = RUN_DETAILS_TABS.length;
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1 + n, Home: 0, End: n - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const tab = RUN_DETAILS_TABS[next % n] as RunDetailsTab;
    onSelect(tab);
    buttons[tab].focus();
  });
  return { list, panels, select };
}
