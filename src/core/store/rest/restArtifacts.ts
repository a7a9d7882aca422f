/** The artifact half of the MLflow REST store: listing through the tracking API, files through the proxied routes. */
import type { MlflowRestClient } from '../../mlflow/restClient.ts';
import { fileInfoFromWire } from '../../mlflow/wire.ts';
import { artifactPathSegments, proxiedArtifactRoot, proxiedArtifactRoute } from '../artifactPaths.ts';
import { TrackingError } from '../errors.ts';
import { replyPage } from './restReplies.ts';
import type { FileInfo, Run } from '../types.ts';

const API = '/api/2.0/mlflow';
/** Bounds the listing loop, so a server that keeps sending tokens cannot hang us. */
const MAX_PAGES = 100_000;
const ARTIFACT_ROOT_CACHE_SIZE = 1_000;

export class RestArtifacts {
  private readonly client: MlflowRestClient;
  private readonly getRun: (runId: string) => Promise<Run>;
  /** A run's artifact URI never changes: remember it instead of asking before every transfer. */
  private readonly artifactRoots = new Map<string, readonly string[]>();

  constructor(client: MlflowRestClient, getRun: (runId: string) => Promise<Run>) {
    this.client = client;
    this.getRun = getRun;
  }

  async listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]> {
    const route = 'artifacts/list';
    const segments = artifactPathSegments(path ?? '', true);
    const files: FileInfo[] = [];
    let pageToken: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const reply = await this.client.get(`${API}/${route}`, {
        run_id: runId,
        path: segments.length > 0 ? segments.join('/') : undefined,
        page_token: pageToken,
      });
      const page = replyPage(reply, 'files', route, (f) => fileInfoFromWire(f));
      files.push(...page.items);
      if (page.nextPageToken === undefined || page.nextPageToken === pageToken) return files;
      pageToken = page.nextPageToken;
    }
    throw new TrackingError('INTERNAL_ERROR', `The artifact listing of run ${runId} has more than ${MAX_PAGES} pages.`);
  }

  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    const segments = artifactPathSegments(path);
    const root = await this.artifactRoot(runId);
    return this.client.bytes({ method: 'GET', path: proxiedArtifactRoute(root, segments) });
  }

  /** A file under another proxied artifact location, e.g. a logged model's (`owner` names it in the refusal). */
  async readAt(artifactUri: string, path: string, owner: string): Promise<Uint8Array> {
    const root = proxiedArtifactRoot(artifactUri);
    if (root === undefined) throw new TrackingError('INVALID_STATE', `The MLflow server at ${this.client.baseUrl} does not proxy the files of ${owner}: they are stored at ${artifactUri}.`);
    return this.client.bytes({ method: 'GET', path: proxiedArtifactRoute(root, artifactPathSegments(path)) });
  }

  async writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void> {
    const segments = artifactPathSegments(path);
    const root = await this.artifactRoot(runId);
    // PUT overwrites the same file with the same bytes: safe to retry.
    await this.client.json({ method: 'PUT', path: proxiedArtifactRoute(root, segments), bytes: content });
  }

  private async artifactRoot(runId: string): Promise<readonly string[]> {
    const known = this.artifactRoots.get(runId);
    if (known) return known;
    const run = await this.getRun(runId);
    const root = proxiedArtifactRoot(run.info.artifactUri);
    if (root === undefined) {
      throw new TrackingError(
        'INVALID_STATE',
        `The MLflow server at ${this.client.baseUrl} does not proxy the artifacts of run ${runId}: they are stored at ` +
          `${run.info.artifactUri}, and Labbook reads and writes artifacts only through the server (mlflow-artifacts:/ URIs). ` +
          'Start the server with --serve-artifacts and an --artifacts-destination, and log to a new experiment.',
      );
    }
    if (this.artifactRoots.size >= ARTIFACT_ROOT_CACHE_SIZE) this.artifactRoots.clear();
    this.artifactRoots.set(runId, root);
    return root;
  }
}
