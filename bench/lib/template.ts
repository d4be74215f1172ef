/**
 * The few template rules of bench/benchmarks.template.md, so its prose reads as the document it
 * becomes and the numbers come from code:
 * - `{{name}}` is replaced by `values[name]`; a name with no value is an error, so a typo in the
 *   template fails the run instead of printing a hole;
 * - `{{#name}}...{{/name}}` keeps what is between only when `values[name]` is true or a non-empty
 *   string (a benchmark that did not run, a profile that is missing);
 * - `{{! comment }}` is for the template's reader and is dropped.
 * A tag alone on its line takes its line break with it, so blocks and comments leave no blank lines.
 */

export type TemplateValues = Readonly<Record<string, string | boolean>>;

const STANDALONE_TAG = /^(\{\{[#/!][^}]*\}\})\n/gm;
const COMMENT = /\{\{![^}]*\}\}/g;
const BLOCK = /\{\{#([\w.-]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const PLACEHOLDER = /\{\{([\w.-]+)\}\}/g;

/** `template` with its blocks resolved and its placeholders filled from `values`. */
export function fillTemplate(template: string, values: TemplateValues): string {
  let text = template.replace(STANDALONE_TAG, '$1').replace(COMMENT, '');
  // Blocks may nest (different names): resolve the outer ones until none is left.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(BLOCK, (_, name: string, body: string) => (values[name] ? body : ''));
  }
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (typeof value !== 'string') throw new Error(`benchmarks template: no text for {{${name}}}`);
    return value;
  });
}
