// Who is running Labbook, for the `mlflow.user` of new runs.
import { userInfo } from 'node:os';

/** The OS login name; 'unknown' where the OS cannot say (no passwd entry in a container, for example). */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
