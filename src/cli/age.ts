/**
 * The AGE column as kubectl prints it (apimachinery's `duration.HumanDuration`): precise while
 * young, coarser with time, never more than two units: `45s`, `3m12s`, `47m`, `5h10m`, `20h`,
 * `3d4h`, `45d`, `2y30d`, `9y`. Clock skew of a second reads as `0s`; more than that in the
 * future is `<invalid>`.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** `5m`, or `5m7s` when the smaller unit is not zero. */
const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
  small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;

/** A duration in kubectl's short form. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) return two(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) return two(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(ms / DAY);
  if (hours < 8 * 24) return two(days, 'd', hours % 24, 'h');
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.floor(ms / YEAR);
  if (hours < 8 * 365 * 24) return two(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** The age of an RFC 3339 timestamp at `now`; `<unknown>` without one, like kubectl. */
export function age(timestamp: string | undefined, now: number): string {
  const at = timestamp ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}
