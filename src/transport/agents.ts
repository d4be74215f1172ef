/**
 * The connection pools requests go through: one keep-alive agent per protocol for the process.
 *
 * Why: client-node's `applyToHTTPSOptions`, which the transport calls for every request (it is
 * where credential plugins refresh), puts a new `Agent` into the options each time. A request
 * through a fresh agent cannot reuse a connection, so every request opened a TCP connection and,
 * over https, did a whole TLS handshake: every list page, every write, every relist. Sharing one
 * agent is safe across clusters and credentials because Node pools an agent's sockets by host,
 * port and every TLS option of the request (CA, client certificate and key, server name,
 * `rejectUnauthorized`, ...): a request only ever gets a socket opened with its own options.
 *
 * Only requests that are read to their end share the pool (lists, gets, writes). A watch keeps a
 * connection of its own, as before: it lives for minutes, so pooling saves nothing, and with
 * watches pooled too, the CLI's watch against the embedded cluster (watches dropped, failed and
 * compacted on purpose) died of an unhandled 'error' on a socket destroyed by an unsubscribe. That
 * was seen, not explained; keeping watches out of the pool ended it. A cluster with a `proxy-url`
 * keeps the proxy agent client-node made for it.
 */
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * TCP keepalive on every socket, probing after 30 s without a received packet (client-go's dialer
 * uses the same 30 s). Node sets 10 probes 1 s apart with it (`TCP_KEEPCNT=10`,
 * `TCP_KEEPINTVL=1`), so a peer that is gone (host down, NAT or load-balancer entry dropped,
 * network partition) fails the socket about 40 s after its last packet, on watches and every other
 * request, without waiting for the idle watchdog. A peer whose kernel still answers but whose
 * server sends nothing is the watchdog's case. The keep-alive agents set it on every socket they
 * hand out, with this delay.
 */
export const TCP_KEEPALIVE_DELAY_MS = 30_000;

let plain: http.Agent | undefined;
let secure: https.Agent | undefined;

/**
 * The shared keep-alive agent for `protocol`.
 *
 * @example
 * ```ts
 * options.agent = keepAliveAgent('https:');
 * ```
 */
export function keepAliveAgent(protocol: 'http:' | 'https:'): http.Agent {
  if (protocol === 'https:') {
    secure ??= new https.Agent({ keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_DELAY_MS });
    return secure;
  }
  plain ??= new http.Agent({ keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_DELAY_MS });
  return plain;
}
