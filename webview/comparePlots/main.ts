// Not a panel: the Compare panel's ECharts plots (parallel coordinates, scatter) as a bundle of their
// own, dist/webview/comparePlots.js, which the Compare page imports when it first draws them. So
// ECharts (four fifths of the page's code) is neither parsed nor run before the table and the first
// metric chart are painted.
export { parallelPlot, scatterPlot, type RunPlot } from '../compare/runPlots.ts';
