/**
 * How docs/benchmarks.md and its charts write quantities: thousands separators, and as many
 * decimals as the size of the number makes worth reading.
 */
import { fmt } from './harness.js';

/** Events or keys per second, in thousands: `111k/s`. */
export const rate = (perSec: number) => `${fmt(Math.round(perSec / 1000))}k/s`;
/** Milliseconds, one decimal below 100: `10.3 ms`, `2,523 ms`. */
export const ms = (value: number) => `${fmt(value, value < 100 ? 1 : 0)} ms`;
/** Microseconds, two decimals: `9.00 µs`. */
export const us = (value: number) => `${fmt(value, 2)} µs`;
/** Whole bytes: `2,395 B`. */
export const bytes = (value: number) => `${fmt(Math.round(value))} B`;
/** Mebibytes, one decimal: `117.8 MiB`. */
export const mb = (value: number) => `${fmt(value / 2 ** 20, 1)} MiB`;
