// prom-client, when the consumer has it: the work queue metrics accept its module as it is.

import { prometheusWorkQueueMetrics } from 'kube-rx';
import * as prom from 'prom-client';

const registry = new prom.Registry();
const metrics = prometheusWorkQueueMetrics(prom, { name: 'consumer', registry });
metrics.added('default/a');
registry.getSingleMetricAsString('workqueue_adds_total').then((text) => {
  if (!text.includes('workqueue_adds_total{name="consumer"} 1')) {
    console.error(`unexpected metrics:\n${text}`);
    process.exit(1);
  }
  console.log('consumer metrics ok');
});
