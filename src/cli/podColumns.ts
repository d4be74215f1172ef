/**
 * The READY, STATUS and RESTARTS of a pod as `kubectl get pods` shows them, computed from the raw
 * JSON (kubectl's pod printer): STATUS is not just `status.phase` but the most telling reason:
 * a waiting or terminated container (`CrashLoopBackOff`, `ContainerCreating`, `Completed`,
 * `OOMKilled`, `ExitCode:1`), an init container (`Init:0/2`, `Init:Error`), `SchedulingGated`,
 * `Terminating` once deleted, `Unknown` when the node is unreachable. Sidecars (init containers
 * with `restartPolicy: Always`) count as containers for READY and RESTARTS.
 */
import type { KubeObject } from '../core/objects.js';
import { age } from './age.js';

interface ContainerState {
  readonly waiting?: { readonly reason?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: {
    readonly reason?: string;
    readonly exitCode?: number;
    readonly signal?: number;
    readonly finishedAt?: string;
  };
}

interface ContainerStatus {
  readonly name: string;
  readonly ready?: boolean;
  readonly started?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

/** The fields of a pod these columns read, as they appear in the API's JSON. */
export interface PodShape extends KubeObject {
  readonly spec?: {
    readonly containers?: readonly { readonly name: string }[];
    readonly initContainers?: readonly { readonly name: string; readonly restartPolicy?: string }[];
    readonly nodeName?: string;
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly podIP?: string;
    readonly conditions?: readonly {
      readonly type: string;
      readonly status?: string;
      readonly reason?: string;
    }[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
    readonly containerStatuses?: readonly ContainerStatus[];
  };
}

/** What the three columns are computed from in one pass over the statuses. */
interface PodSummary {
  readonly ready: number;
  readonly total: number;
  readonly status: string;
  readonly restarts: number;
  /** When the latest counted restart ended (ms), or undefined. */
  readonly lastRestart: number | undefined;
}

/** `Completed`, `OOMKilled`, or without a reason `Signal:9` / `ExitCode:1`. */
function terminatedReason(terminated: NonNullable<ContainerState['terminated']>): string {
  if (terminated.reason) return terminated.reason;
  return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
}

function latest(current: number | undefined, status: ContainerStatus): number | undefined {
  const finished = status.lastState?.terminated?.finishedAt;
  const at = finished ? Date.parse(finished) : Number.NaN;
  if (Number.isNaN(at)) return current;
  return current === undefined || at > current ? at : current;
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

function summarize(pod: PodShape): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const sidecars = new Set(
    (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  const total = (spec.containers?.length ?? 0) + sidecars.size;
  let ready = 0;
  let reason = status.reason || status.phase || '';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  // Init containers run one after another: the first one not done says where the pod is.
  let initializing = false;
  let allRestarts = 0;
  let allLastRestart: number | undefined;
  let sidecarRestarts = 0;
  let sidecarLastRestart: number | undefined;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, init] of initStatuses.entries()) {
    allRestarts += init.restartCount ?? 0;
    allLastRestart = latest(allLastRestart, init);
    const sidecar = sidecars.has(init.name);
    if (sidecar) {
      sidecarRestarts += init.restartCount ?? 0;
      sidecarLastRestart = latest(sidecarLastRestart, init);
    }
    const terminated = init.state?.terminated;
    const waiting = init.state?.waiting?.reason;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && init.started) {
      if (init.ready) ready++;
      continue;
    }
    if (terminated) reason = `Init:${terminatedReason(terminated)}`;
    else if (waiting && waiting !== 'PodInitializing') reason = `Init:${waiting}`;
    else reason = `Init:${i}/${spec.initContainers?.length ?? initStatuses.length}`;
    initializing = true;
    break;
  }

  let restarts = allRestarts;
  let lastRestart = allLastRestart;
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    // The app containers decide; the first container (in spec order) with a reason wins.
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let running = false;
    for (const container of [...(status.containerStatuses ?? [])].reverse()) {
      restarts += container.restartCount ?? 0;
      lastRestart = latest(lastRestart, container);
      const state = container.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated) reason = terminatedReason(state.terminated);
      else if (container.ready && state.running) {
        running = true;
        ready++;
      }
    }
    // A finished container beside a running one: the pod still runs.
    if (reason === 'Completed' && running)
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? 'Running'
        : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (!TERMINAL_PHASES.has(status.phase ?? '')) reason = 'Terminating';
  }
  return { ready, total, status: reason, restarts, lastRestart };
}

/** READY: ready containers / containers, e.g. `1/2`. */
export function podReady(pod: PodShape): string {
  const { ready, total } = summarize(pod);
  return `${ready}/${total}`;
}

/** STATUS, e.g. `Running`, `CrashLoopBackOff`, `Init:0/1`, `Terminating`. */
export function podStatus(pod: PodShape): string {
  return summarize(pod).status;
}

/** RESTARTS, with the age of the last one when known: `3 (5m ago)`. */
export function podRestarts(pod: PodShape, now: number): string {
  const { restarts, lastRestart } = summarize(pod);
  if (restarts === 0 || lastRestart === undefined) return String(restarts);
  return `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)`;
}
