/**
 * One metric family per registry and name: several work queues (or controllers) share a family
 * and differ by label, as in client-go and controller-runtime, so a second queue must reuse the
 * family the first one registered instead of registering the name again (prom-client throws).
 */
import type { PromRegistry } from './promClientShape.js';

/** The metric registered under `name` in `registry`, or the one `create` registers now. */
export function family<M>(registry: PromRegistry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as unknown as M | undefined) ?? create();
}
