/**
 * The startup deadline of `kube-rx watch` needs to know when the server first answered. The
 * Reflector retries failures forever by design (client-go does too), so a server that never
 * answers (a firewall dropping packets, a proxy answering 503) would keep the command waiting
 * silently. This wrapper marks the first successful response: a list page, a watch event or a
 * discovery document. Failed answers do not count: they are what the deadline is for.
 */
import { from, tap } from 'rxjs';
import type { KubeClient } from '../core/client.js';

/** A client whose `answered` promise resolves at its first successful response. */
export interface AnsweringClient {
  readonly client: KubeClient;
  readonly answered: Promise<void>;
}

/** Wraps `inner`; every call goes through unchanged. */
export function noticeFirstAnswer(inner: KubeClient): AnsweringClient {
  let markAnswered!: () => void;
  const answered = new Promise<void>((resolve) => {
    markAnswered = resolve;
  });
  const client: KubeClient = {
    list: (resource, options, signal) =>
      from(inner.list(resource, options, signal)).pipe(tap({ next: () => markAnswered() })),
    watch: (resource, options) => inner.watch(resource, options).pipe(tap({ next: () => markAnswered() })),
    get: (resource, name, options) => inner.get(resource, name, options),
    create: (resource, object, options) => inner.create(resource, object, options),
    replace: (resource, object, options) => inner.replace(resource, object, options),
    patch: (resource, name, patch, type, options) => inner.patch(resource, name, patch, type, options),
    delete: (resource, name, options) => inner.delete(resource, name, options),
  };
  if (inner.discover) {
    const discover = inner.discover.bind(inner);
    client.discover = async (groupVersion) => {
      const document = await discover(groupVersion);
      markAnswered();
      return document;
    };
  }
  return { client, answered };
}
