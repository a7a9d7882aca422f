/** What went wrong when preparing or launching a tracked run; the message is for the user. */
export type LaunchErrorCode =
  | 'INVALID_OPTIONS'
  | 'NO_RECIPE'
  | 'NOT_A_REPOSITORY'
  | 'COMMIT_NOT_FOUND'
  | 'WORKTREE_FAILED'
  | 'PATCH_FAILED'
  | 'NOT_DEBUGGABLE';

export class LaunchError extends Error {
  override readonly name = 'LaunchError';
  readonly code: LaunchErrorCode;
  constructor(code: LaunchErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

