// Image artifacts the panels show, by file extension. They are only ever shown through
// <img src="data:…">, where even an SVG cannot run script or reach the page's DOM.
export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

