// Image artifacts with the same path side by side across the runs; each image is fetched from the
// host (as a data: URI) when its row scrolls into view.
import type { ArtifactListing, CompareRun, ImageContent } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

const PAGE = 30;

export type ImageLoader = (runId: string, path: string) => Promise<ImageContent>;

export function renderImages(listing: ArtifactListing, runs: readonly CompareRun[], load: ImageLoader): HTMLElement {
  const root = el('div', { className: 'artifact-list', attrs: { 'data-testid': 'artifacts' } });
  if (listing.images.length === 0) {
    root.append(el('p', { className: 'muted', text: 'These runs have no image artifacts.' }));
    return root;
  }
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      void fill(entry.target as HTMLElement);
    }
  }, { rootMargin: '300px' });

  const fill = async (figure: HTMLElement): Promise<void> => {
    const runId = figure.dataset.run as string;
    const path = figure.dataset.path as string;
    const box = figure.querySelector('.image-box') as HTMLElement;
    try {
      const content = await load(runId, path);
      if (content.kind === 'image') {
        const img = el('img', { attrs: { alt: `${path} of ${figure.dataset.label ?? runId}` } });
        img.src = content.dataUri;
        box.replaceChildren(img);
      } else if (content.kind === 'tooLarge') {
        box.replaceChildren(el('p', { className: 'muted', text: `Too large to show here (${Math.round(content.bytes / 1024 / 1024)} MB).` }));
      } else {
        box.replaceChildren(el('p', { className: 'muted', text: content.message }));
      }
    } catch (err) {
      box.replaceChildren(el('p', { className: 'error', text: `Could not load the image: ${errorMessage(err)}` }));
    }
  };

  let shown = 0;
  const more = el('button', { className: 'more', attrs: { type: 'button' } });
  const showMore = () => {
    const next = listing.images.slice(shown, shown + PAGE);
    shown += next.length;
    for (const image of next) {
      const figures = runs.map((run) => {
        const has = image.runIds.includes(run.runId);
        const box = el('div', { className: 'image-box' }, [el('p', { className: 'muted', text: has ? 'Loading…' : 'Not in this run' })]);
        const figure = el('figure', { className: `artifact${has ? '' : ' absent'}`, attrs: { 'data-run': run.runId, 'data-path': image.path, 'data-label': run.label } }, [
          box,
          el('figcaption', { text: run.label }),
        ]);
        if (has) observer.observe(figure);
        return figure;
      });
      root.insertBefore(el('section', { className: 'artifact-row', attrs: { 'data-path': image.path } }, [el('h3', { text: image.path }), el('div', { className: 'image-row' }, figures)]), more);
    }
    more.textContent = `Show more images (${listing.images.length - shown} left)`;
    more.hidden = shown >= listing.images.length;
  };
  more.addEventListener('click', showMore);
  root.append(more);
  showMore();
  if (listing.truncated) root.append(el('p', { className: 'muted', text: 'Some artifact folders were not searched: the runs have too many artifacts or folders nested too deep.' }));
  return root;
}
