// The properties panel edits every part of the design format: each node kind's parameters,
// type switches (distributions, workloads, algorithms), optional sections, edges, run settings
// and the fault timeline. Each edit is checked in the design the autosave holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import {
  autosavedDesign,
  clickEmptyCanvas,
  connect,
  dropKind,
  nodeCentre,
  propertyField,
} from './editor-helpers.mjs';

const KINDS = [
  ['client', 'client-1', 110, 110],
  ['api_gateway', 'api-gateway-1', 350, 110],
  ['rate_limiter', 'rate-limiter-1', 590, 110],
  ['load_balancer', 'load-balancer-1', 110, 260],
  ['service', 'service-1', 350, 260],
  ['cache', 'cache-1', 590, 260],
  ['queue', 'queue-1', 110, 410],
  ['database', 'database-1', 350, 410],
];

let app;
before(async () => {
  app = await openApp({ viewport: { width: 1400, height: 900 } });
  for (const [kind, , x, y] of KINDS) {
    await dropKind(app.page, kind, x, y);
  }
  await connect(app.page, 'client-1', 'api-gateway-1');
  await connect(app.page, 'api-gateway-1', 'service-1');
  await connect(app.page, 'queue-1', 'database-1');
});
after(async () => {
  await app?.close();
});

async function select(id) {
  const centre = await nodeCentre(app.page, id);
  await app.page.mouse.click(centre.x, centre.y);
}

const field = (path) => propertyField(app.page, path);
/** The enable toggle of an optional section (timeout, retry, breaker, slow-down, TTL). */
const toggle = (path) => app.page.locator(`#properties [data-toggle="${path}"]`);

async function node(id) {
  return (await autosavedDesign(app.page)).nodes.find((n) => n.id === id);
}

test('client: workload model, rate profile and key popularity switch their fields', async () => {
  await select('client-1');
  await field('nodes[0].params.workload.rate.type').selectOption('spike');
  await field('nodes[0].params.workload.rate.spike_rps').fill('900');
  // A rate may go on with a unit ("1.2k"): it is applied on Enter, a pause, or leaving the field.
  await field('nodes[0].params.workload.rate.spike_rps').press('Enter');
  assert.deepEqual((await node('client-1')).params.workload.rate, {
    type: 'spike',
    base_rps: 25,
    spike_rps: 900,
    start_ms: 20000,
    duration_ms: 5000,
  });
  await field('nodes[0].params.workload.type').selectOption('closed_loop');
  await field('nodes[0].params.workload.users').fill('75');
  await field('nodes[0].params.workload.think_time.type').selectOption('uniform');
  const workload = (await node('client-1')).params.workload;
  assert.equal(workload.type, 'closed_loop');
  assert.equal(workload.users, 75);
  assert.equal(workload.think_time.type, 'uniform');
  await field('nodes[0].params.keys.popularity.type').selectOption('uniform');
  assert.deepEqual((await node('client-1')).params.keys.popularity, { type: 'uniform' });
  // The request mix: add a class, mark it a write, remove the first.
  await app.page.click('#properties button:has-text("+ Add class")');
  await field('nodes[0].params.mix[2].write').check();
  await app.page.locator('#properties .list-row .row-remove').first().click();
  assert.deepEqual(
    (await node('client-1')).params.mix.map((c) => [c.name, c.write]),
    [['write', true], ['class-3', true]],
  );
});

test('client: end users for read-your-writes, picked at random or by key owner, or none', async () => {
  await select('client-1');
  await field('nodes[0].params.users.pick').selectOption('random');
  assert.deepEqual((await node('client-1')).params.users, { count: 1000, pick: 'random' });
  await field('nodes[0].params.users.count').fill('50');
  await field('nodes[0].params.users.count').press('Enter');
  assert.equal((await node('client-1')).params.users.count, 50);
  await field('nodes[0].params.users.pick').selectOption('key_owner');
  assert.deepEqual((await node('client-1')).params.users, { count: 50, pick: 'key_owner' });
  await field('nodes[0].params.users.pick').selectOption('none');
  assert.equal((await node('client-1')).params.users ?? null, null);
  assert.equal(await field('nodes[0].params.users.count').count(), 0, 'no count without users');
});

test('gateway: overhead, concurrency, routes to connected nodes, and the balancer\'s health settings', async () => {
  await select('api-gateway-1');
  await field('nodes[1].params.max_concurrency').fill('64');
  await app.page.click('#properties button:has-text("+ Add route")');
  let params = (await node('api-gateway-1')).params;
  assert.equal(params.max_concurrency, 64);
  assert.deepEqual(params.routes, [{ class: 'write', to: 'service-1' }]);
  // No health checking by default (gateways as they were); the same editor as a balancer's.
  assert.deepEqual(params.health_check, { type: 'none' });
  assert.equal(await field('nodes[1].params.health_check.interval_ms').count(), 0);
  await field('nodes[1].params.health_check.type').selectOption('active');
  await field('nodes[1].params.health_check.interval_ms').fill('2s');
  await toggle('nodes[1].params.outlier_detection').check();
  await field('nodes[1].params.panic_threshold_percent').fill('0');
  params = (await node('api-gateway-1')).params;
  assert.equal(params.health_check.type, 'active');
  assert.equal(params.health_check.interval_ms, 2000);
  assert.equal(params.outlier_detection.consecutive_errors, 5);
  assert.equal(params.panic_threshold_percent, 0);
});

test('rate limiter: algorithm switch changes the fields', async () => {
  await select('rate-limiter-1');
  await field('nodes[2].params.algorithm.type').selectOption('sliding_window');
  await field('nodes[2].params.algorithm.limit').fill('250');
  await field('nodes[2].params.per_key').check();
  assert.deepEqual((await node('rate-limiter-1')).params, {
    algorithm: { type: 'sliding_window', limit: 250, window_ms: 1000 },
    per_key: true,
  });
});

test('load balancer: algorithm and tie rule, active health checks, outlier ejection, panic', async () => {
  await select('load-balancer-1');
  await field('nodes[3].params.algorithm.type').selectOption('least_connections');
  await field('nodes[3].params.algorithm.ties').selectOption('first');
  await field('nodes[3].params.health_check.interval_ms').fill('2s');
  await field('nodes[3].params.health_check.unhealthy_threshold').fill('2');
  await toggle('nodes[3].params.outlier_detection').check();
  await field('nodes[3].params.outlier_detection.consecutive_errors').fill('3');
  await field('nodes[3].params.panic_threshold_percent').fill('0');
  let params = (await node('load-balancer-1')).params;
  assert.deepEqual(params.algorithm, { type: 'least_connections', ties: 'first' });
  assert.deepEqual(params.health_check, {
    type: 'active',
    interval_ms: 2000,
    timeout_ms: 1000,
    unhealthy_threshold: 2,
    healthy_threshold: 2,
    start_healthy: true,
  });
  assert.equal(params.outlier_detection.consecutive_errors, 3);
  assert.equal(params.outlier_detection.max_ejection_percent, 10);
  assert.equal(params.panic_threshold_percent, 0);
  // The instant oracle has no probe fields; consistent hashing asks for virtual nodes.
  await field('nodes[3].params.health_check.type').selectOption('instant');
  assert.equal(await field('nodes[3].params.health_check.interval_ms').count(), 0);
  await field('nodes[3].params.algorithm.type').selectOption('consistent_hash');
  await field('nodes[3].params.algorithm.virtual_nodes').fill('160');
  await toggle('nodes[3].params.outlier_detection').uncheck();
  params = (await node('load-balancer-1')).params;
  assert.deepEqual(params, {
    algorithm: { type: 'consistent_hash', virtual_nodes: 160 },
    health_check: { type: 'instant' },
    outlier_detection: null,
    panic_threshold_percent: 0,
  });
});

test('service: distribution types, percentages and the optional slow-down', async () => {
  await select('service-1');
  await field('nodes[4].params.service_time.type').selectOption('log_normal');
  await field('nodes[4].params.service_time.p99_ms').fill('150');
  await field('nodes[4].params.error_rate').fill('2.5');
  await toggle('nodes[4].params.slowdown').check();
  await field('nodes[4].params.slowdown.factor').fill('3');
  await field('nodes[4].params.calls').selectOption('parallel');
  const params = (await node('service-1')).params;
  assert.deepEqual(params.service_time, { type: 'log_normal', median_ms: 20, p99_ms: 150 });
  assert.equal(params.error_rate, 0.025, 'percent fields store fractions');
  assert.deepEqual(params.slowdown, { knee: 0.7, factor: 3 });
  assert.equal(params.calls, 'parallel');
  // Switching the optional section off removes it from the design.
  await toggle('nodes[4].params.slowdown').uncheck();
  assert.equal((await node('service-1')).params.slowdown, null);
});

test('service: autoscaling turns the service into a group, with its HPA rules and policies', async () => {
  await select('service-1');
  await toggle('nodes[4].params.autoscaling').check();
  await field('nodes[4].params.autoscaling.max_instances').fill('12');
  await field('nodes[4].params.autoscaling.target').fill('60');
  await field('nodes[4].params.autoscaling.provisioning_delay_ms').fill('45s');
  await field('nodes[4].params.autoscaling.scale_down.stabilization_window_ms').fill('1m');
  await field('nodes[4].params.autoscaling.scale_up.policies[1].value').fill('2');
  let scaling = (await node('service-1')).params.autoscaling;
  assert.equal(scaling.max_instances, 12);
  assert.equal(scaling.target, 0.6, 'a utilisation target is stored as a fraction');
  assert.equal(scaling.provisioning_delay_ms, 45000);
  assert.equal(scaling.scale_down.stabilization_window_ms, 60000);
  assert.deepEqual(scaling.scale_up.policies[1], { type: 'instances', value: 2, period_ms: 15000 });
  // An in-flight target is a request count, not a percentage.
  await field('nodes[4].params.autoscaling.metric').selectOption('in_flight');
  await field('nodes[4].params.autoscaling.target').fill('25');
  scaling = (await node('service-1')).params.autoscaling;
  assert.equal(scaling.metric, 'in_flight');
  assert.equal(scaling.target, 25);
  await toggle('nodes[4].params.autoscaling.cold_start').check();
  assert.deepEqual((await node('service-1')).params.autoscaling.cold_start, { duration_ms: 10000, factor: 3 });
  // Service discovery is offered for a group.
  await toggle('nodes[4].params.discovery').check();
  await field('nodes[4].params.discovery.refresh_interval_ms').fill('10s');
  await field('nodes[4].params.discovery.deregister_on_shutdown').uncheck();
  const discovery = (await node('service-1')).params.discovery;
  assert.equal(discovery.refresh_interval_ms, 10000);
  assert.equal(discovery.deregister_on_shutdown, false);
  await toggle('nodes[4].params.discovery').uncheck();
  await toggle('nodes[4].params.autoscaling').uncheck();
  assert.equal((await node('service-1')).params.autoscaling, null);
});

test('cache, queue and database parameters', async () => {
  await select('cache-1');
  await field('nodes[5].params.eviction').selectOption('lfu');
  await toggle('nodes[5].params.ttl_ms').check();
  await field('nodes[5].params.write_policy').selectOption('write_through');
  let params = (await node('cache-1')).params;
  assert.equal(params.eviction, 'lfu');
  assert.equal(params.ttl_ms, 60000);
  assert.equal(params.write_policy, 'write_through');

  await select('queue-1');
  await field('nodes[6].params.consumers').fill('16');
  await field('nodes[6].params.dead_letter').selectOption('database-1');
  params = (await node('queue-1')).params;
  assert.equal(params.consumers, 16);
  assert.equal(params.dead_letter, 'database-1');
  await field('nodes[6].params.partitions').fill('12');
  await field('nodes[6].params.backpressure').selectOption('block');
  params = (await node('queue-1')).params;
  assert.equal(params.partitions, 12, 'a partitioned topic');
  assert.equal(params.backpressure, 'block');
  await field('nodes[6].params.partitions').fill('0');
  assert.equal((await node('queue-1')).params.partitions, null, '0 partitions: one shared queue');
  await field('nodes[6].params.visibility_timeout_ms').fill('30s');
  await field('nodes[6].params.visibility_timeout_ms').press('Enter');
  assert.equal((await node('queue-1')).params.visibility_timeout_ms, 30000, 'consumed as SQS');
  await field('nodes[6].params.visibility_timeout_ms').fill('0');
  await field('nodes[6].params.visibility_timeout_ms').press('Enter');
  assert.equal((await node('queue-1')).params.visibility_timeout_ms, null, '0: no visibility timeout');
  await field('nodes[6].params.fan_out').check();
  assert.equal((await node('queue-1')).params.fan_out, true, 'pub/sub fan-out');
  await field('nodes[6].params.fan_out').uncheck();
  // Consumers scaled on lag (KEDA): KEDA's defaults, then the threshold and bounds.
  await toggle('nodes[6].params.consumer_scaling').check();
  let scaling = (await node('queue-1')).params.consumer_scaling;
  assert.equal(scaling.min_replicas, 0, 'KEDA scales to zero by default');
  assert.equal(scaling.max_replicas, 100);
  await field('nodes[6].params.consumer_scaling.lag_threshold').fill('50');
  await field('nodes[6].params.consumer_scaling.max_replicas').fill('24');
  await field('nodes[6].params.consumer_scaling.max_replicas').press('Enter');
  scaling = (await node('queue-1')).params.consumer_scaling;
  assert.equal(scaling.lag_threshold, 50);
  assert.equal(scaling.max_replicas, 24);
  assert.match(await app.page.locator('[data-node-id="queue-1"] .node-caption').textContent(), /^0–24 consumers \(lag\)$/);
  await toggle('nodes[6].params.consumer_scaling').uncheck();
  assert.equal((await node('queue-1')).params.consumer_scaling, null);
  // How the line is served: CoDel on a message's time in the line, with RFC 8289's defaults,
  // then adaptive LIFO's threshold; back to FIFO.
  await field('nodes[6].params.queue_discipline.type').selectOption('codel');
  assert.deepEqual((await node('queue-1')).params.queue_discipline, {
    type: 'codel',
    target_ms: 5,
    interval_ms: 100,
  });
  await field('nodes[6].params.queue_discipline.type').selectOption('adaptive_lifo');
  await field('nodes[6].params.queue_discipline.threshold').fill('25');
  await field('nodes[6].params.queue_discipline.threshold').press('Enter');
  assert.deepEqual((await node('queue-1')).params.queue_discipline, { type: 'adaptive_lifo', threshold: 25 });
  await field('nodes[6].params.queue_discipline.type').selectOption('fifo');
  assert.deepEqual((await node('queue-1')).params.queue_discipline, { type: 'fifo' });

  await select('database-1');
  await field('nodes[7].params.shards').fill('4');
  await field('nodes[7].params.replicas_per_shard').fill('2');
  await field('nodes[7].params.reads_from').selectOption('replicas');
  await field('nodes[7].params.write_time.type').selectOption('constant');
  params = (await node('database-1')).params;
  assert.equal(params.shards, 4);
  assert.equal(params.replicas_per_shard, 2);
  assert.equal(params.reads_from, 'replicas');
  assert.deepEqual(params.write_time, { type: 'constant', ms: 10 });
  assert.equal(await app.page.locator('[data-node-id="database-1"] .node-caption').textContent(), '4 shards × 2 replicas');
  // Replication as really run: the lag as a distribution, failover, read-your-writes.
  await toggle('nodes[7].params.replication_lag').check();
  await toggle('nodes[7].params.failover').check();
  await field('nodes[7].params.failover.detection_ms').fill('30s');
  await field('nodes[7].params.failover.detection_ms').press('Enter');
  await toggle('nodes[7].params.read_your_writes').check();
  params = (await node('database-1')).params;
  assert.deepEqual(params.replication_lag, { type: 'exponential', mean_ms: 50 });
  assert.deepEqual(params.failover, { detection_ms: 30000 });
  assert.deepEqual(params.read_your_writes, { window_ms: 1000 });
  await toggle('nodes[7].params.failover').uncheck();
  assert.equal((await node('database-1')).params.failover, null);
});

test('edge: timeout, retries and breaker toggle on and show as badges', async () => {
  const edge = app.page.locator('#canvas .edge[data-edge-id="e-client-1-api-gateway-1"] .edge-hit');
  const box = await edge.boundingBox();
  await app.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await toggle('edges[0].params.timeout_ms').check();
  await toggle('edges[0].params.retry').check();
  await field('edges[0].params.retry.jitter').selectOption('equal');
  await toggle('edges[0].params.circuit_breaker').check();
  await field('edges[0].params.circuit_breaker.failure_threshold').fill('25');
  const params = (await autosavedDesign(app.page)).edges[0].params;
  assert.equal(params.timeout_ms, 1000);
  assert.equal(params.retry.jitter, 'equal');
  assert.equal(params.circuit_breaker.failure_threshold, 0.25);
  // The edge is short, so its badge uses the short form; it sits above the nodes.
  const badge = app.page.locator('#canvas .edge-badge[data-edge-id="e-client-1-api-gateway-1"]');
  assert.equal(await badge.locator('text').textContent(), 'T1 s ↻3 CB');
  // Clicking the badge selects its edge.
  await clickEmptyCanvas(app.page);
  await badge.click();
  await field('edges[0].params.timeout_ms').waitFor();
  await app.screenshot('editor-panels-edge-light');
});

test('a gateway route: rate limit and bulkhead on the edge leaving the gateway', async () => {
  const edge = app.page.locator('#canvas .edge[data-edge-id="e-api-gateway-1-service-1"] .edge-hit');
  const box = await edge.boundingBox();
  await app.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await toggle('edges[1].params.rate_limit').check();
  await field('edges[1].params.rate_limit.algorithm.type').selectOption('gcra');
  await toggle('edges[1].params.bulkhead').check();
  const params = (await autosavedDesign(app.page)).edges[1].params;
  assert.equal(params.rate_limit.algorithm.type, 'gcra');
  assert.equal(params.bulkhead.max_concurrent, 10);
  await toggle('edges[1].params.rate_limit').uncheck();
  await toggle('edges[1].params.bulkhead').uncheck();
  const after = (await autosavedDesign(app.page)).edges[1].params;
  assert.equal(after.rate_limit, null);
  app.assertNoProblems('a gateway route');
});

test('with nothing selected: name, description, run settings and the fault timeline', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  await field('name').fill('Every kind');
  await field('description').fill('One of each node kind.');
  await field('run.duration_ms').fill('120000');
  await field('run.replications').fill('5');
  await page.click('#add-fault');
  await field('faults[0].target').selectOption('service-1');
  await field('faults[0].effect.type').selectOption('latency');
  await field('faults[0].effect.extra_ms').fill('250');
  await field('faults[0].at_ms').fill('40000');
  // A time may go on with a unit ("40s"): it is applied on Enter, a pause, or leaving the field.
  await field('faults[0].at_ms').press('Enter');
  await page.locator('.fault-strip .fault-bar.fault-latency').waitFor();
  const design = await autosavedDesign(page);
  assert.equal(design.name, 'Every kind');
  assert.equal(design.description, 'One of each node kind.');
  assert.equal(design.run.duration_ms, 120000);
  assert.equal(design.run.replications, 5);
  assert.deepEqual(design.faults, [
    { target: 'service-1', at_ms: 40000, duration_ms: 30000, effect: { type: 'latency', extra_ms: 250 } },
  ]);
  assert.equal(await page.locator('#design-name').inputValue(), 'Every kind');
  await app.screenshot('editor-panels-design-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('editor-panels-design-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('#properties .fault-row .row-remove').click();
  assert.deepEqual((await autosavedDesign(page)).faults, []);
  app.assertNoProblems('editing every panel');
});

test('the fault timeline: edge effects target edges, instants may last 0 ms', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  await page.click('#add-fault');
  // An edge effect retargets the fault to an edge, and the target select lists edges.
  await field('faults[0].effect.type').selectOption('partition');
  let design = await autosavedDesign(page);
  const firstEdge = design.edges[0].id;
  assert.equal(design.faults[0].target, firstEdge);
  assert.deepEqual(design.faults[0].effect, { type: 'partition' });
  await field('faults[0].effect.type').selectOption('edge_latency');
  await field('faults[0].effect.jitter_ms').fill('20');
  await field('faults[0].effect.jitter_ms').press('Enter');
  design = await autosavedDesign(page);
  assert.deepEqual(design.faults[0].effect, { type: 'edge_latency', extra_ms: 100, jitter_ms: 20 });
  await page.locator('.fault-strip .fault-bar.fault-edge_latency').waitFor();
  // Back to a node effect: a node again. A burst of N requests at an instant.
  await field('faults[0].effect.type').selectOption('burst');
  await field('faults[0].target').selectOption('client-1');
  await field('faults[0].effect.requests').fill('500');
  await field('faults[0].duration_ms').fill('0');
  await field('faults[0].duration_ms').press('Enter');
  design = await autosavedDesign(page);
  assert.deepEqual(design.faults[0], {
    target: 'client-1', at_ms: design.faults[0].at_ms, duration_ms: 0, effect: { type: 'burst', requests: 500 },
  });
  await field('faults[0].effect.type').selectOption('worker_cut');
  await field('faults[0].target').selectOption('service-1');
  await field('faults[0].duration_ms').fill('1000');
  await field('faults[0].duration_ms').press('Enter');
  await field('faults[0].effect.fraction').fill('25');
  design = await autosavedDesign(page);
  assert.deepEqual(design.faults[0].effect, { type: 'worker_cut', fraction: 0.25 });
  // An autoscaled group's instance crash: how many instances, and which.
  await field('faults[0].effect.type').selectOption('instance_crash');
  design = await autosavedDesign(page);
  assert.deepEqual(design.faults[0].effect, { type: 'instance_crash', count: 1, pick: { type: 'random' } });
  await field('faults[0].effect.count').fill('2');
  await field('faults[0].effect.count').press('Enter');
  await field('faults[0].effect.pick.type').selectOption('index');
  await field('faults[0].effect.pick.index').fill('1');
  await field('faults[0].effect.pick.index').press('Enter');
  design = await autosavedDesign(page);
  assert.deepEqual(design.faults[0].effect, { type: 'instance_crash', count: 2, pick: { type: 'index', index: 1 } });
  await page.locator('.fault-strip .fault-bar.fault-instance_crash').waitFor();
  await page.locator('#properties .fault-row .row-remove').click();
  assert.deepEqual((await autosavedDesign(page)).faults, []);
  app.assertNoProblems('editing the new faults');
});
