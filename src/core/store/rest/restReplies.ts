/** Reading the envelopes of MLflow REST replies (`{"run": …}`, `{"runs": […], "next_page_token"}`). */
import { WireReader, type WireObject } from '../../mlflow/wireReader.ts';
import type { Page } from '../types.ts';

function reader(route: string): WireReader {
  return new WireReader(`reply to ${route}`, 'reply');
}

export function replyObject(reply: unknown, route: string): WireObject {
  return reader(route).object(reply, '');
}

/** One field of the reply, as it is: the entity's own `xFromWire` checks it. */
export function replyField(reply: unknown, key: string, route: string): unknown {
  return replyObject(reply, route)[key];
}

export function replyString(reply: unknown, key: string, route: string): string {
  const r = reader(route);
  return r.requiredString(r.object(reply, ''), key, '');
}

/** A page of `key`, with MLflow's next_page_token (absent or '' on the last page). */
export function replyPage<T>(reply: unknown, key: string, route: string, read: (value: unknown) => T): Page<T> {
  const r = reader(route);
  const obj = r.object(reply, '');
  const items = r.array(obj, key, '', (value) => read(value));
  const token = r.string(obj, 'next_page_token', '');
  return token ? { items, nextPageToken: token } : { items };
}
