// The big design the performance and scale checks share (tests/e2e/live-run.test.mjs,
// tests/e2e/editor-scale.test.mjs and
// bench/ui-long-tasks.mjs): a client feeding a chain of 199 services — a long run with a big
// live series, drawn on the canvas's raster layer.

export const BIG_DESIGN_NODES = 200;

/** About 3 s per replication in Chromium on a CI machine: the first one streams 300 buckets of
 *  200 nodes' series while the canvas shows each. */
export function bigDesign(durationMs = 300_000) {
  const nodes = [];
  const edges = [];
  for (let i = 0; i < BIG_DESIGN_NODES; i++) {
    const id = i === 0 ? 'client-1' : `service-${i}`;
    nodes.push({
      id,
      label: i === 0 ? 'Traffic' : `Service ${i}`,
      position: { x: (i % 20) * 200, y: Math.floor(i / 20) * 120 },
      kind: i === 0 ? 'client' : 'service',
      params: i === 0 ? { workload: { type: 'open_loop', rate: { type: 'constant', rps: 200 } } } : {},
    });
    if (i > 0) {
      const from = i === 1 ? 'client-1' : `service-${i - 1}`;
      edges.push({ id: `e-${from}-${id}`, from, to: id });
    }
  }
  return {
    version: 1,
    name: 'Two hundred nodes',
    nodes,
    edges,
    run: { duration_ms: durationMs, warmup_ms: 5000, replications: 3, bucket_ms: 1000, max_events: 500000000 },
  };
}
