/**
 * `kube-rx watch -o yaml` writes YAML with its own small emitter. Any JSON value must read back
 * as the same value, with YAML 1.2 readers and with YAML 1.1 readers (go-yaml v2, PyYAML), which
 * take `yes`, `on`, `2024-01-01`, `0777` or `1_000` for booleans, dates and numbers. Checked with
 * the `yaml` package in both modes (it is in node_modules through tsup and typedoc).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from '../../src/cli/yaml.js';

/** Strings made of the characters YAML cares about, so the quoting rules are exercised. */
const tricky = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[-?:,[\]{}#&*!|>'"%@`~=<+. 0-9a-zA-Z\n\t\r\\/]{0,12}$/),
  fc.constantFrom(
    'yes',
    'No',
    'ON',
    'off',
    'y',
    'N',
    'true',
    'False',
    'null',
    'Null',
    '~',
    '',
    ' ',
    '=',
    '<<',
    '0777',
    '0x1F',
    '0o17',
    '1_000',
    '1:20',
    '1e3',
    '.5',
    '-.inf',
    '.NaN',
    '+1',
    '-',
    '--',
    '---',
    '...',
    '2024-01-01',
    '2024-01-01T00:00:00Z',
    'a: b',
    'a #b',
    'a:',
    '- a',
    '? a',
    ': a',
    '#a',
    '@a',
    '`a',
    '|',
    '>',
    '!tag',
    '&anchor',
    '*alias',
    '%directive',
    'line\n',
    'a\nb',
    'a\n\n',
    '\na',
    '\n  a',
    ' a\nb',
    'tab\there',
    'trailing ',
    'caf\u00e9',
    '\u2028',
    'http://x/y?z=1#f',
    '{a}',
    '[a]',
    'a,b',
    '"q"',
    "'q'",
  ),
);

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    tricky,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('toYaml', () => {
  test.prop([json], { numRuns: 1000 })('reads back as the same value in YAML 1.2 and 1.1', (value) => {
    const text = toYaml(value);
    expect(text.endsWith('\n')).toBe(true);
    expect(parse(text, { version: '1.2' })).toEqual(value);
    expect(parse(text, { version: '1.1' })).toEqual(value);
  });

  it('looks like kubectl -o yaml for an API object', () => {
    expect(
      toYaml({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, annotations: {} },
        data: { 'run.sh': '#!/bin/sh\nexec web\n', enabled: 'true', port: '8080' },
        spec: { containers: [{ name: 'web', args: ['--port', '8080'], env: [] }] },
      }),
    ).toBe(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: web',
        '  labels:',
        '    app.kubernetes.io/name: web',
        '  annotations: {}',
        'data:',
        '  run.sh: |',
        '    #!/bin/sh',
        '    exec web',
        '  enabled: "true"',
        '  port: "8080"',
        'spec:',
        '  containers:',
        '  - name: web',
        '    args:',
        '    - "--port"',
        '    - "8080"',
        '    env: []',
        '',
      ].join('\n'),
    );
  });

  it('documents joined with --- read back as a stream', () => {
    const text = [{ a: 1 }, { b: 'x\n' }].map(toYaml).join('---\n');
    expect(parseAllDocuments(text).map((d) => d.toJSON())).toEqual([{ a: 1 }, { b: 'x\n' }]);
  });
});
