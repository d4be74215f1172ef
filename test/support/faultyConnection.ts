/**
 * One connection through the fault proxy: the bytes between a client socket and a server socket,
 * forwarded under one {@link ConnectionFault}. Each direction is a lane with its own queue, so
 * fragmentation delays never reorder bytes, a freeze holds what arrives (both sockets stay open
 * and readable, as on a half-open path), and a reset or freeze after n bytes lands exactly on
 * byte n, wherever that falls in a chunk, a line or a character.
 *
 * Sockets are half-open capable: a FIN from one side is passed on only once that lane has
 * delivered what it holds, so a clean pass is byte-for-byte a plain TCP relay.
 */
import type { Socket } from 'node:net';
import type { Random } from '../../src/testing/random.js';
import type { ConnectionFault, Direction } from './faultPlan.js';

interface Lane {
  readonly from: Socket;
  readonly to: Socket;
  readonly queue: Buffer[];
  frozen: boolean;
  /** A step is scheduled (fragmentation): new bytes wait behind it. */
  busy: boolean;
  /** `from` sent its FIN: pass it on once the queue is empty. */
  ended: boolean;
}

/**
 * Share of pieces that are a single byte, and of pieces held on a timer (1 ms at least) rather
 * than one turn of the event loop: few enough that a fragmented list of a few kilobytes still
 * arrives in tens of milliseconds.
 */
const ONE_BYTE_SHARE = 0.3;
const TIMED_DELAY_SHARE = 0.05;

export class FaultyConnection {
  private readonly lanes: Record<Direction, Lane>;
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private forwarded = 0;
  private endingDone = false;
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly fault: ConnectionFault,
    private readonly random: Random,
  ) {
    const lane = (from: Socket, to: Socket): Lane => ({
      from,
      to,
      queue: [],
      frozen: false,
      busy: false,
      ended: false,
    });
    this.lanes = { up: lane(client, server), down: lane(server, client) };
    for (const current of Object.values(this.lanes)) {
      current.from.setNoDelay(true);
      current.from.on('error', () => this.teardown());
      // A side that closed after its FIN may still have bytes queued for the other: drain them first.
      current.from.on('close', () => {
        if (!(current.ended && current.queue.length > 0 && !current.to.destroyed)) this.teardown();
      });
      current.from.on('data', (chunk: Buffer) => {
        current.queue.push(chunk);
        this.pump(current);
      });
      current.from.on('end', () => {
        current.ended = true;
        this.pump(current);
      });
    }
    const ending = fault.ending;
    if (ending && 'afterMs' in ending) this.later(() => this.strike(), ending.afterMs);
    else this.checkBudget();
  }

  /** Destroys both sockets (with a RST or FIN to the client when asked) and every pending timer. */
  teardown(how?: 'rst' | 'fin'): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    this.timers.clear();
    if (how === 'rst' && !this.client.destroyed) this.client.resetAndDestroy();
    else if (how === 'fin' && !this.client.destroyed) this.client.end(() => this.client.destroy());
    else this.client.destroy();
    this.server.destroy();
  }

  private later(run: () => void, delayMs?: number): void {
    const fire = () => {
      this.timers.delete(timer);
      run();
    };
    const timer = delayMs === undefined ? setImmediate(fire) : setTimeout(fire, delayMs);
    this.timers.add(timer);
  }

  /** Bytes that may still pass before a byte-counted ending. */
  private budget(): number {
    const ending = this.fault.ending;
    if (this.endingDone || !ending || !('afterBytes' in ending)) return Number.POSITIVE_INFINITY;
    return Math.max(0, ending.afterBytes - this.forwarded);
  }

  private checkBudget(): void {
    if (this.budget() === 0) this.strike();
  }

  /** Applies the ending: a reset, or a freeze with its thaw. */
  private strike(): void {
    const ending = this.fault.ending;
    if (this.closed || this.endingDone || !ending) return;
    this.endingDone = true;
    if (ending.kind === 'reset') {
      this.teardown(ending.how);
      return;
    }
    for (const direction of ending.directions) this.lanes[direction].frozen = true;
    if (ending.thawAfterMs !== undefined)
      this.later(() => {
        for (const lane of Object.values(this.lanes)) {
          lane.frozen = false;
          this.pump(lane);
        }
      }, ending.thawAfterMs);
  }

  private pieceSize(available: number): number {
    const fragment = this.fault.fragment;
    if (!fragment) return available;
    const size = this.random() < ONE_BYTE_SHARE ? 1 : 1 + Math.floor(this.random() * fragment.maxPieceBytes);
    return Math.min(size, available);
  }

  private pump(lane: Lane): void {
    if (lane.busy) return;
    while (!this.closed && !lane.frozen && lane.queue.length > 0) {
      const chunk = lane.queue[0] as Buffer;
      const size = Math.min(this.pieceSize(chunk.length), this.budget());
      if (size > 0) {
        lane.to.write(chunk.subarray(0, size));
        this.forwarded += size;
        if (size < chunk.length) lane.queue[0] = chunk.subarray(size);
        else lane.queue.shift();
      }
      this.checkBudget();
      const fragment = this.fault.fragment;
      if (fragment && size > 0 && lane.queue.length > 0) {
        lane.busy = true;
        const held = this.random() < TIMED_DELAY_SHARE;
        const delay = held ? Math.floor(this.random() * (fragment.maxDelayMs + 1)) : undefined;
        this.later(() => {
          lane.busy = false;
          this.pump(lane);
        }, delay);
        return;
      }
    }
    if (!this.closed && !lane.frozen && lane.ended && lane.queue.length === 0 && !lane.to.writableEnded)
      lane.to.end();
  }
}
