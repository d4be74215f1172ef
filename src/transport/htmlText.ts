/**
 * The text of an HTML page, for error messages: proxies and load balancers answer failures with
 * HTML, and a message should show "Bad Gateway", not markup. Tags become spaces, `script` and
 * `style` bodies vanish, entities are decoded.
 *
 * Written as one forward scan rather than regular expressions: `/<[^>]*>/g` over a body of
 * 120 000 `<` without a `>` rescans the rest of the body from every `<` (quadratic: seconds of a
 * blocked event loop), and so does a lazy `<script>[\s\S]*?</script>` over unclosed scripts. Here
 * every search starts where the previous one ended, so the cost is linear in the body whatever
 * its shape.
 */

/** Elements whose content is not text. */
const RAW_TEXT_ELEMENTS = ['script', 'style'];

/**
 * The text of `html`: tags replaced by a space, script and style contents dropped. A `<` with no
 * `>` after it is text, as in `a < b`; a script or style without its closing tag runs to the end.
 *
 * @example
 * ```ts
 * stripTags('<p>Bad <b>Gateway</b></p><script>x()</script>'); // ' Bad  Gateway    '
 * ```
 */
export function stripTags(html: string): string {
  const out: string[] = [];
  let position = 0;
  while (position < html.length) {
    const open = html.indexOf('<', position);
    const close = open < 0 ? -1 : html.indexOf('>', open + 1);
    if (close < 0) {
      out.push(html.slice(position));
      break;
    }
    out.push(html.slice(position, open), ' ');
    position = close + 1;
    const name = /^[a-z]+/i.exec(html.slice(open + 1, Math.min(close, open + 8)))?.[0]?.toLowerCase();
    if (name !== undefined && RAW_TEXT_ELEMENTS.includes(name))
      position = afterClosingTag(html, name, position);
  }
  return out.join('');
}

/** Where the text resumes after `</name ...>` searched from `from`: the end when there is none. */
function afterClosingTag(html: string, name: string, from: number): number {
  for (let at = html.indexOf('</', from); at >= 0; at = html.indexOf('</', at + 2)) {
    if (html.slice(at + 2, at + 2 + name.length).toLowerCase() !== name) continue;
    const end = html.indexOf('>', at);
    return end < 0 ? html.length : end + 1;
  }
  return html.length;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * Decodes the entities a page uses for text (`&amp;`, `&#38;`, `&#x26;`, ...), so the snippet
 * reads as text and a secret written with entities is redacted like any other. Unknown names stay.
 * The pattern has bounded repetitions only, so it runs in linear time.
 *
 * @example
 * ```ts
 * decodeEntities('a &amp; b &#x3c; c'); // 'a & b < c'
 * ```
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (entity, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const hex = name[1] === 'x' || name[1] === 'X';
    const code = hex ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
