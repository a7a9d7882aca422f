// Which metrics the Compare panel's Charts tab draws, decided in one place: the page uses it for
// its charts, the host to know the first chart's metric before the page has the comparison.

/** Charts drawn before the user picks metrics. */
const DEFAULT_CHARTS = 4;

/** The metrics to chart: the saved choice (those that still exist), else the first few shared ones (else of any run). */
export function chartMetrics(model: { readonly allMetrics: readonly string[]; readonly sharedMetrics: readonly string[] }, saved: readonly string[] | null): string[] {
  if (saved) return saved.filter((k) => model.allMetrics.includes(k));
  return (model.sharedMetrics.length ? model.sharedMetrics : model.allMetrics).slice(0, DEFAULT_CHARTS);
}
