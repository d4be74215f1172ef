/**
 * A YAML emitter for JSON values, for `kube-rx watch -o yaml` (kube-rx has no YAML dependency and
 * needs none: API objects are JSON, so maps, lists, strings, numbers, booleans and null cover it).
 * Block style like `kubectl get -o yaml`; a string is written plain only when every YAML 1.1 and
 * 1.2 reader takes it back as the same string (not `true`, `no`, `null`, `1.0`, `0x1F`, a date,
 * not starting with an indicator, no `: ` or ` #`), multi-line strings as literal blocks, and
 * everything else double-quoted with JSON escapes (a subset of YAML's).
 */

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Words YAML 1.1 readers (go-yaml, PyYAML) turn into booleans, null, a merge key or a value key. */
const RESERVED = /^(?:~|=|<<|null|true|false|yes|no|on|off|y|n)$/i;
/**
 * Anything a reader could take for a number, a date or a sexagesimal: what starts like one, is
 * made only of number characters (`E0`, `.`, `1:20`), or is infinity or NaN. Quoting more than
 * needed costs nothing.
 */
const NUMBER_LIKE = /^[-+]?\.?\d|^[-+.\d_:e]*\d[-+.\d_:e]*$|^[-+]?\.[\d_]*$|^[-+]?\.(?:inf|nan)$/i;
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
/** No character that needs an escape: C0 and C1 controls, DEL, line and paragraph separators, BOM. */
function printable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) return false;
  }
  return true;
}

/** True when `text` reads back as the same string without quotes. */
function isPlain(text: string): boolean {
  if (text === '' || text.trim() !== text) return false;
  if (RESERVED.test(text) || NUMBER_LIKE.test(text)) return false;
  // At the start of a line these would begin or end a document.
  if (text.startsWith('---') || text.startsWith('...')) return false;
  // `-` and `?` and `:` may start a plain scalar when a non-space follows; `---` would end a document.
  if (INDICATOR.test(text) && !/^[-?:][^\s-]/.test(text)) return false;
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) return false;
  return printable(text);
}

/** A literal block (`|`) keeps a multi-line string readable; only for text it can represent exactly. */
function literalBlock(text: string, indent: string): string | undefined {
  // Only newlines: a block of empty lines reads back as an empty string.
  if (!text.includes('\n') || text.replace(/\n/g, '') === '') return undefined;
  if (!printable(text.replace(/\n/g, ''))) return undefined;
  const lines = text.split('\n');
  // The first line with text sets the block's indentation: a leading space there would need an
  // indentation indicator; quote instead.
  if (/^\s/.test(lines.find((line) => line !== '') ?? '')) return undefined;
  let chomp: string;
  if (!text.endsWith('\n')) chomp = '-';
  else if (text.endsWith('\n\n')) chomp = '+';
  else chomp = '';
  if (text.endsWith('\n')) lines.pop();
  const body = lines.map((line) => (line === '' ? '' : `${indent}${line}`)).join('\n');
  return `|${chomp}\n${body}`;
}

function scalar(value: null | boolean | number | string, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (isPlain(value)) return value;
  return literalBlock(value, indent) ?? JSON.stringify(value);
}

const key = (name: string) => (isPlain(name) ? name : JSON.stringify(name));
const isCollection = (value: Json): value is readonly Json[] | { readonly [key: string]: Json } =>
  value !== null && typeof value === 'object';
const isEmpty = (value: Json) =>
  Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0;

/** Lines of a map or list at `indent` (a list inside a map sits at the map's indentation, like kubectl). */
function block(value: readonly Json[] | { readonly [key: string]: Json }, indent: string): string[] {
  const lines: string[] = [];
  const entries: [string | null, Json][] = Array.isArray(value)
    ? value.map((item): [null, Json] => [null, item])
    : Object.entries(value);
  for (const [name, item] of entries) {
    const lead = name === null ? `${indent}- ` : `${indent}${key(name)}:`;
    if (isCollection(item) && !isEmpty(item)) {
      if (name === null) {
        // A map or list item starts on the dash's line, its other lines two columns in.
        const [first, ...rest] = block(item, `${indent}  `);
        lines.push(`${lead}${(first as string).slice(indent.length + 2)}`, ...rest);
      } else {
        lines.push(lead, ...block(item, Array.isArray(item) ? indent : `${indent}  `));
      }
    } else {
      const text = isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item, `${indent}  `);
      lines.push(name === null ? `${lead}${text}` : `${lead} ${text}`);
    }
  }
  return lines;
}

/**
 * A JSON value as a YAML document (ending with a newline). Values JSON cannot hold
 * (`undefined`, functions) are dropped as `JSON.stringify` drops them.
 *
 * @example
 * ```ts
 * toYaml({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 2 } });
 * // 'metadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n'
 * ```
 */
export function toYaml(value: unknown): string {
  const json = JSON.parse(JSON.stringify(value) ?? 'null') as Json;
  if (!isCollection(json)) return `${scalar(json, '  ')}\n`;
  if (isEmpty(json)) return Array.isArray(json) ? '[]\n' : '{}\n';
  return `${block(json, '').join('\n')}\n`;
}
