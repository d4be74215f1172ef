/**
 * Creating a CustomResourceDefinition at run time and waiting until kube-apiserver serves it.
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { KubeClient } from '../../../src/core/client.js';
import { isStatusError } from '../../../src/core/errors.js';
import { resources } from '../../../src/core/resources.js';
import { eventually } from './env.js';

export interface CrdSpec {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  /** OpenAPI schema of `spec`. */
  readonly specSchema: Record<string, unknown>;
}

/** A namespaced v1 CRD with a status subresource. */
export function crd({ group, kind, plural, specSchema }: CrdSpec): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: specSchema,
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  } as unknown as V1CustomResourceDefinition;
}

/** Creates the CRD (unless it exists) and waits for its Established condition. */
export async function installCrd(client: KubeClient, spec: CrdSpec): Promise<V1CustomResourceDefinition> {
  const definition = crd(spec);
  const name = definition.metadata?.name as string;
  try {
    await client.create(resources.customResourceDefinitions, definition);
  } catch (error) {
    if (!(isStatusError(error) && error.code === 409)) throw error;
  }
  let current: V1CustomResourceDefinition | undefined;
  await eventually(
    async () => {
      current = await client.get(resources.customResourceDefinitions, name);
      return (current.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    },
    30_000,
    `CRD ${name} to be established`,
  );
  return current as V1CustomResourceDefinition;
}
