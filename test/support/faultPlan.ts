/**
 * What the fault proxy (`faultProxy.ts`) does to each TCP connection, written down before the run
 * so a failing property can print it and a test can replay it. Connection n, in the order the
 * proxy accepts them, gets `connections[n]`; every later one passes cleanly, so a plan always
 * ends in a healthy network and the informer is expected to converge after it.
 *
 * The faults are the ones a real path to an API server produces: a proxy or a congested link
 * that delivers a response in small pieces (cut inside a UTF-8 character, a JSON token or a chunk
 * header), a load balancer that resets or closes a connection mid-response, and a half-open
 * connection (a NAT entry dropped, a frozen peer) on which bytes simply stop.
 */

/** `up`: client to server (the request); `down`: server to client (the response). */
export type Direction = 'up' | 'down';

/** Every chunk, both ways, split into pieces of 1 to `maxPieceBytes`, some held up to `maxDelayMs`. */
export interface Fragmentation {
  readonly maxPieceBytes: number;
  readonly maxDelayMs: number;
}

/**
 * When an ending strikes: once `afterBytes` have been forwarded on the connection, both
 * directions counted together (so it lands in the middle of whatever is on the wire then), or
 * `afterMs` after the connection was accepted (usually deep in a watch, whose bytes are few).
 */
export type Trigger = { readonly afterBytes: number } | { readonly afterMs: number };

/**
 * How a connection goes wrong, if it does.
 * - `reset`: both sockets are torn down; `rst` sends the client a TCP RST, `fin` a clean FIN in
 *   the middle of the response.
 * - `freeze`: the listed directions stop forwarding while both sockets stay open (the half-open
 *   case); they resume after `thawAfterMs` if it is set.
 */
export type ConnectionEnding = Trigger &
  (
    | { readonly kind: 'reset'; readonly how: 'rst' | 'fin' }
    | { readonly kind: 'freeze'; readonly directions: readonly Direction[]; readonly thawAfterMs?: number }
  );

/** One connection's faults: none is a clean pass. */
export interface ConnectionFault {
  readonly fragment?: Fragmentation;
  readonly ending?: ConnectionEnding;
}

/** The whole plan; `seed` drives the piece sizes and delays of fragmentation. */
export interface FaultPlan {
  readonly seed: number;
  readonly connections: readonly ConnectionFault[];
}

function describeEnding(ending: ConnectionEnding): string {
  const when = 'afterMs' in ending ? `${ending.afterMs} ms` : `${ending.afterBytes} B`;
  if (ending.kind === 'reset') return `${ending.how === 'rst' ? 'RST' : 'FIN'} after ${when}`;
  const thaw = ending.thawAfterMs === undefined ? ' for good' : `, thaw after ${ending.thawAfterMs} ms`;
  return `freeze ${ending.directions.join('+')} after ${when}${thaw}`;
}

/** One line per connection, for a counterexample report: `#0 fragment <=3 B, <=2 ms; RST after 812 B`. */
export function describeFaultPlan(plan: FaultPlan): string {
  const lines = plan.connections.map((fault, n) => {
    const parts = [
      fault.fragment
        ? `fragment <=${fault.fragment.maxPieceBytes} B, <=${fault.fragment.maxDelayMs} ms`
        : undefined,
      fault.ending ? describeEnding(fault.ending) : undefined,
    ].filter((part) => part !== undefined);
    return `  #${n} ${parts.length > 0 ? parts.join('; ') : 'clean'}`;
  });
  return [`fault plan (seed ${plan.seed}), then clean passes:`, ...lines].join('\n');
}
