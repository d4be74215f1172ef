/**
 * `kube-rx watch -o json|yaml|name`: each event's object as it arrives, like `kubectl get -w -o ...`:
 * `json` pretty-printed (4 spaces, as kubectl), `yaml` documents separated by `---`, `name` as
 * `kind[.group]/name` (`pod/web-1`, `deployment.apps/web`). A deleted object is printed as its
 * last known state, as kubectl does. Only the objects go to stdout, so the output can be piped.
 */
import type { InformerEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { toYaml } from './yaml.js';

/** The output formats that print objects instead of table rows. */
export type DocumentFormat = 'json' | 'yaml' | 'name';

/** kubectl's resource name for `-o name`: the kind in lower case, with its group when it has one. */
export function objectName(resource: ResourceType<KubeObject>, object: KubeObject): string {
  const kind = resource.kind.toLowerCase();
  return `${resource.group ? `${kind}.${resource.group}` : kind}/${object.metadata?.name ?? ''}`;
}

/** A function from each event to the text to print for it (ending with a newline). */
export function documentPrinter(
  format: DocumentFormat,
  resource: ResourceType<KubeObject>,
): (event: InformerEvent<KubeObject>) => string {
  switch (format) {
    case 'json':
      return (event) => `${JSON.stringify(event.object, null, 4)}\n`;
    case 'name':
      return (event) => `${objectName(resource, event.object)}\n`;
    case 'yaml': {
      let count = 0;
      return (event) => `${count++ > 0 ? '---\n' : ''}${toYaml(event.object)}`;
    }
  }
}
