/**
 * The `Website` custom resource the example operator manages: its TypeScript type, its
 * `ResourceType` for kube-rx, and its CustomResourceDefinition (the same object as
 * manifests/crd.yaml; a test keeps the two equal).
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { defineResource, type KubeObject } from '../../src/index.js';

export const WEBSITE_GROUP = 'web.kube-rx.example';

/** A static website served by nginx: the page, how many replicas, which image. */
export interface Website extends KubeObject {
  spec?: {
    /** The page, served as index.html. */
    html: string;
    /** nginx replicas. Default 1. */
    replicas?: number;
    /** Default `nginx:1.27-alpine`. */
    image?: string;
  };
  status?: {
    /** The generation the owned objects were last brought in line with. */
    observedGeneration?: number;
    /** Ready nginx pods, from the Deployment's status. */
    readyReplicas?: number;
  };
}

export const websites = defineResource<Website>({
  group: WEBSITE_GROUP,
  version: 'v1',
  plural: 'websites',
  kind: 'Website',
  namespaced: true,
});

export const websiteCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `websites.${WEBSITE_GROUP}` },
  spec: {
    group: WEBSITE_GROUP,
    names: { kind: 'Website', listKind: 'WebsiteList', plural: 'websites', singular: 'website' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['html'],
                properties: {
                  html: { type: 'string' },
                  replicas: { type: 'integer', minimum: 0, maximum: 10 },
                  image: { type: 'string' },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer' },
                  readyReplicas: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    ],
  },
};
