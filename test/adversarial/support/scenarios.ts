/**
 * Server scripts that several cases share: "list fine, then the relist answers something bad",
 * and the consumer that proves the cache never lost objects on the way.
 */
import { type Observable, tap } from 'rxjs';
import type { KubeObject } from '../../../src/core/objects.js';
import type { Informer } from '../../../src/runtime/informer.js';
import type { HostileServerOptions } from './hostileServer.js';
import { errorEvent } from './objects.js';
import { okList, type Recipe, sequence, watchLines } from './recipes.js';

/**
 * Lists `objects` fine, then the watch fails with an in-stream 410, the relist is answered with
 * `bad`, and every later list is fine again. The cache must hold `objects` throughout.
 */
export function relistAnsweredWith(objects: readonly KubeObject[], bad: Recipe): HostileServerOptions {
  return {
    list: sequence(okList(objects, '5'), bad, okList(objects, '5')),
    watch: sequence(
      watchLines([errorEvent(410, 'Expired', 'too old resource version')], 'end'),
      watchLines([], 'hang'),
    ),
    valid: objects,
  };
}

/** A consumer that errors (failing the case) if a synced snapshot ever holds fewer than `count` objects. */
export function neverFewerThan(count: number) {
  return (informer: Informer<KubeObject>): Observable<unknown> =>
    informer.store$.pipe(
      tap((snapshot) => {
        if (snapshot.synced && snapshot.size < count)
          throw new Error(`the cache lost objects: ${snapshot.size} of ${count} left`);
      }),
    );
}
