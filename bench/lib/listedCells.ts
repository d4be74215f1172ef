import type { V1Pod } from '@kubernetes/client-node';
import { deferredList } from '../../src/transport/deferredList.js';

/**
 * The items of a pod list of `json` (one JSON text per pod), as the transport's list decoder hands
 * them on with `deferDecoding` (`EncodedObject` cells), one page of `pageSize` at a time, as an
 * informer's pager asks for them. Make any `byField` index first: the scan captures only the paths
 * registered when it runs.
 */
export function listedCells(json: readonly string[], pageSize = 500): V1Pod[] {
  const items: V1Pod[] = [];
  for (let from = 0; from < json.length; from += pageSize) {
    const body = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"200000"},"items":[${json.slice(from, from + pageSize).join(',')}]}`;
    const page = deferredList(Buffer.from(body));
    if (page === undefined) throw new Error('the list page did not decode deferred');
    items.push(...(page.items as V1Pod[]));
  }
  return items;
}
