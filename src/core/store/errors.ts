/** MLflow's error codes (databricks_pb2.ErrorCode) that Labbook's stores and endpoint use. */
export type TrackingErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'ENDPOINT_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'INTERNAL_ERROR';

const HTTP_STATUS: Record<TrackingErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  TEMPORARILY_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/** An error with a user-facing message and MLflow's code; the endpoint sends it as MLflow does. */
export class TrackingError extends Error {
  override readonly name = 'TrackingError';
  readonly code: TrackingErrorCode;
  constructor(code: TrackingErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  /** MLflow's error body: `{"error_code": "...", "message": "..."}`. */
  toJSON(): { error_code: TrackingErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

export function invalidParameter(message: string): TrackingError {
  return new TrackingError('INVALID_PARAMETER_VALUE', message);
}

export function notFound(message: string): TrackingError {
  return new TrackingError('RESOURCE_DOES_NOT_EXIST', message);
}

/** Whether `err` is the store saying the thing asked for (a run, a model) does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST';
}
