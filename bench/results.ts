/**
 * What a run of the benchmarks produces: each benchmark's result under its id, and for a full run
 * the machine and the time around it. The checks read the results; the report is written from a
 * saved run (.cache/bench/results.json, which `--report-from` rewrites the document from).
 */
import type { Machine } from './lib/harness.js';
import type { P1Result } from './p1Ingest.js';
import type { P2Result } from './p2Scale.js';
import type { P3Result } from './p3InitialList.js';
import type { P4Result } from './p4Peer.js';
import type { P5Result } from './p5WorkQueue.js';
import type { P6Result } from './p6Snapshots.js';
import type { P7Result } from './p7MetadataOnly.js';
import type { P8Result } from './p8Sharding.js';
import type { P9Result } from './p9FullScale.js';

/** The result of each benchmark that ran. */
export interface Results {
  P1?: P1Result;
  P2?: P2Result;
  P3?: P3Result;
  P4?: P4Result;
  P5?: P5Result;
  P6?: P6Result;
  /** Metadata-only informers against full ones (issue 17). */
  P7?: P7Result;
  /** Sharded controllers at 1, 2, 3 replicas (issue 18); in the report, not in the checks. */
  P8?: P8Result;
  /** 150,000 pods over HTTP under churn (issue 17); full run only, in the report, not in the checks. */
  P9?: P9Result;
}

/** A full run, as saved for the report. */
export interface Saved {
  /** When the run finished (ISO 8601). */
  readonly date: string;
  readonly results: Results;
  readonly before: Machine;
  readonly after: Machine;
  readonly minutes: number;
}

// Names of the tasks inside each benchmark, the keys of their timings (kept in sync with bench/p*.ts).
export const P1_BASELINE = 'JSON.parse, objects kept (baseline)';
export const P1_SUBJECT = '+ indexer (namespace, node): kube-rx';
export const P3_BASELINE = 'http.get + JSON.parse (baseline)';
export const P3_SUBJECT = 'kube-rx informer to synced snapshot';
export const P3_FETCH = 'http.get only (server + transfer)';
export const P5_SUBJECT = 'kube-rx workQueue, concurrency 4';
