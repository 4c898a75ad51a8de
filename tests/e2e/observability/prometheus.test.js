// GET /metrics scraped by a real Prometheus server: a `relay` (LMDB) and the scale-out pair
// (websocket-handler + event-handler on PostgreSQL + Redis, the event handler with its
// metrics on a separate --metrics-bind address) serve nostr-tools traffic; Prometheus's HTTP
// API must then return the expected series with exact values. Every metric the Grafana
// dashboard (deploy/grafana/nostpp-dashboard.json) uses must be in a live scrape, and every
// one of its queries must run.
//
// Needs the Debian `prometheus` package, NOSTPP_E2E_DATABASE_URL and NOSTPP_E2E_REDIS_URL
// (scripts/test.sh, phase `observability`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { requireEnv } from '../lib/cluster.js';
import { newKey, signEvent } from '../lib/nostr.js';
import { startPrometheus } from '../lib/prometheus.js';
import { E2E_DIR, freePort, removeDataDir, spawnOnFreePort, storeArgs } from '../lib/relay.js';
import { closeAllClients, connectNostr, connectRaw } from '../lib/ws.js';

const REPO = path.resolve(E2E_DIR, '../..');
const DASHBOARD = path.join(REPO, 'deploy/grafana/nostpp-dashboard.json');
const EVENTS_RELAY = 20;
const EVENTS_SPLIT = 10;

const procs = [];
const dataDirs = [];
let relay, websocketHandler, eventHandler, eventHandlerMetricsPort, prom;

before(async () => {
  const redisUrl = requireEnv('NOSTPP_E2E_REDIS_URL');
  requireEnv('NOSTPP_E2E_DATABASE_URL');
  const relayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-prom-relay-'));
  const splitDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-prom-split-'));
  dataDirs.push(relayDir, splitDir);
  // Always the embedded store here, whatever the e2e run's database.
  relay = await spawnOnFreePort(
    (port) => ['relay', '--bind', '127.0.0.1', '--port', String(port), '--data-dir', relayDir],
    { role: 'relay', startTimeoutMs: 15_000 },
  );
  procs.push(relay);
  // A channel of its own, so the bus counts are this test's events only.
  const bus = ['--redis-url', redisUrl, '--redis-channel', `nostpp:prom:${crypto.randomBytes(4).toString('hex')}`];
  eventHandlerMetricsPort = await freePort();
  eventHandler = await spawnOnFreePort(
    (port) => [
      'event-handler', '--bind', '127.0.0.1', '--port', String(port), ...storeArgs(splitDir), ...bus,
      '--metrics-bind', `127.0.0.1:${eventHandlerMetricsPort}`,
    ],
    { role: 'event-handler', startTimeoutMs: 15_000 },
  );
  procs.push(eventHandler);
  websocketHandler = await spawnOnFreePort(
    (port) => [
      'websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', `http://127.0.0.1:${eventHandler.port}`, ...bus,
    ],
    { role: 'websocket-handler', startTimeoutMs: 15_000 },
  );
  procs.push(websocketHandler);
  prom = await startPrometheus({
    relay: [`127.0.0.1:${relay.port}`],
    'websocket-handler': [`127.0.0.1:${websocketHandler.port}`],
    'event-handler': [`127.0.0.1:${eventHandlerMetricsPort}`],
  });
  for (const job of ['relay', 'websocket-handler', 'event-handler']) {
    await prom.waitFor(`up{job="${job}"}`, (v) => v === 1);
  }
});

after(async () => {
  await closeAllClients();
  if (prom) await prom.stop();
  for (const p of procs.reverse()) await p.terminate();
  for (const dir of dataDirs) removeDataDir(dir);
});

// A signed event whose signature no longer matches its content.
function forged(key) {
  const event = signEvent(key, { content: 'genuine' });
  return { ...event, content: 'forged' };
}

function describeAll() {
  return procs.map((p) => p.describe()).join('\n') + `\n--- prometheus ---\n${prom?.output ?? ''}`;
}

test('relay: connections, subscriptions, messages, events, commits and queries', async () => {
  const clients = [await connectNostr(relay.url), await connectNostr(relay.url), await connectNostr(relay.url)];
  const raw = await connectRaw(relay.url);
  const key = newKey();
  for (let i = 0; i < EVENTS_RELAY; i++) {
    await clients[i % clients.length].publish(signEvent(key, { content: `prom ${i}` }));
  }
  const bad = await raw.publish(forged(key));
  assert.equal(bad[2], false, JSON.stringify(bad));
  assert.match(bad[3], /^invalid:/);
  // Two live subscriptions (EOSE seen), and one COUNT.
  for (const kinds of [[1], [7]]) {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no EOSE')), 5000);
      clients[0].subscribe([{ authors: [key.pk], kinds }], {
        onevent: () => {},
        oneose: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
  const count = await raw.count('c', [{ authors: [key.pk] }]);
  assert.equal(count[2].count, EVENTS_RELAY, JSON.stringify(count));

  const j = 'job="relay"';
  const expectations = [
    [`nostpp_events_accepted_total{${j},outcome="stored"}`, EVENTS_RELAY],
    [`nostpp_events_rejected_total{${j},prefix="invalid"}`, 1],
    [`nostpp_events_received_total{${j}}`, EVENTS_RELAY + 1],
    [`nostpp_client_messages_total{${j},verb="EVENT"}`, EVENTS_RELAY + 1],
    [`nostpp_client_messages_total{${j},verb="REQ"}`, 2],
    [`nostpp_client_messages_total{${j},verb="COUNT"}`, 1],
    [`nostpp_connections{${j}}`, 4],
    [`nostpp_connections_total{${j}}`, 4],
    [`nostpp_subscriptions{${j}}`, 2],
    // Every stored event went through exactly one group commit.
    [`nostpp_commit_batch_size_sum{${j}}`, EVENTS_RELAY],
    [`nostpp_query_duration_seconds_count{${j},operation="query"}`, 2],
    [`nostpp_query_duration_seconds_count{${j},operation="count"}`, 1],
    [`sum(nostpp_store_errors_total{${j}})`, 0],
    [`nostpp_build_info{${j},role="relay"}`, 1],
  ];
  for (const [expr, expected] of expectations) {
    await prom.waitFor(expr, (v) => v === expected).catch((err) => {
      throw new Error(`${err.message}\n${describeAll()}`);
    });
  }
  const commits = await prom.value(`nostpp_commit_duration_seconds_count{${j}}`);
  assert.ok(commits >= 1 && commits <= EVENTS_RELAY, `commits: ${commits}`);
  assert.equal(await prom.value(`nostpp_commit_batch_size_count{${j}}`), commits);
  assert.ok((await prom.value(`process_resident_memory_bytes{${j}}`)) > 1e6);
  assert.ok((await prom.value(`process_open_fds{${j}}`)) > 3);
  assert.ok((await prom.value(`process_cpu_seconds_total{${j}}`)) >= 0);
  const started = await prom.value(`process_start_time_seconds{${j}}`);
  assert.ok(Math.abs(Date.now() / 1000 - started) < 600, `start time ${started}`);

  // A connection that closes leaves the gauge.
  raw.close();
  await prom.waitFor(`nostpp_connections{${j}}`, (v) => v === 3);
});

test('split: the websocket-handler and the event-handler, Redis bus and query cache', async () => {
  // The event handler's API port no longer serves metrics: they moved to --metrics-bind.
  const moved = await fetch(`http://127.0.0.1:${eventHandler.port}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(moved.status, 404);

  const client = await connectNostr(websocketHandler.url);
  const key = newKey();
  for (let i = 0; i < EVENTS_SPLIT; i++) await client.publish(signEvent(key, { content: `split ${i}` }));
  const raw = await connectRaw(websocketHandler.url);
  const bad = await raw.publish(forged(key));
  assert.match(bad[3], /^invalid:/, JSON.stringify(bad));
  // The same REQ twice: a cache miss, then a hit (no write in between).
  for (let i = 0; i < 2; i++) {
    const reply = await raw.req(`q${i}`, [{ authors: [key.pk] }]);
    assert.equal(reply.events.length, EVENTS_SPLIT);
    raw.send(['CLOSE', `q${i}`]);
  }

  const ws = 'job="websocket-handler"';
  const eh = 'job="event-handler"';
  const expectations = [
    [`nostpp_events_accepted_total{${ws},outcome="stored"}`, EVENTS_SPLIT],
    [`nostpp_events_rejected_total{${ws},prefix="invalid"}`, 1],
    [`nostpp_events_accepted_total{${eh},outcome="stored"}`, EVENTS_SPLIT],
    [`nostpp_events_rejected_total{${eh},prefix="invalid"}`, 1],
    [`nostpp_events_received_total{${eh}}`, EVENTS_SPLIT + 1],
    [`nostpp_commit_batch_size_sum{${eh}}`, EVENTS_SPLIT],
    [`nostpp_connections{${ws}}`, 2],
    [`nostpp_subscriptions{${ws}}`, 0],
    [`nostpp_client_messages_total{${ws},verb="REQ"}`, 2],
    [`nostpp_client_messages_total{${ws},verb="CLOSE"}`, 2],
    [`nostpp_bus_events_total{${eh},what="published"}`, EVENTS_SPLIT],
    // The websocket handler's own events come back from Redis: received, then skipped.
    [`nostpp_bus_events_total{${ws},what="received"}`, EVENTS_SPLIT],
    [`nostpp_bus_events_total{${ws},what="duplicate_skipped"}`, EVENTS_SPLIT],
    [`sum(nostpp_event_handler_errors_total{${ws}})`, 0],
    [`nostpp_event_handler_request_duration_seconds_count{${ws},route="/query"}`, 2],
    [`nostpp_query_cache_total{${eh},result="miss"}`, 1],
    [`nostpp_query_cache_total{${eh},result="hit"}`, 1],
    [`nostpp_query_duration_seconds_count{${eh},operation="query"}`, 2],
    [`nostpp_build_info{${ws},role="websocket-handler"}`, 1],
    [`nostpp_build_info{${eh},role="event-handler"}`, 1],
  ];
  for (const [expr, expected] of expectations) {
    await prom.waitFor(expr, (v) => v === expected).catch((err) => {
      throw new Error(`${err.message}\n${describeAll()}`);
    });
  }
  const eventRequests = await prom.value(`nostpp_event_handler_request_duration_seconds_count{${ws},route="/event"}`);
  assert.ok(eventRequests >= 1 && eventRequests <= EVENTS_SPLIT + 1, `/event requests: ${eventRequests}`);
  assert.ok((await prom.value(`nostpp_http_connections{${eh}}`)) >= 1);
  assert.ok((await prom.value(`nostpp_http_requests_total{${eh},route="/event",status="200"}`)) >= 1);
  assert.equal(await prom.value(`nostpp_bus_errors_total{${eh}}`), 0);
});

// The metric names a PromQL expression uses (histogram series named by their family).
function metricNames(expr) {
  const names = new Set();
  for (const [name] of expr.matchAll(/\b(?:nostpp|process)_[a-z0-9_]+/g)) names.add(name);
  return names;
}

test('every metric of the Grafana dashboard is in a live scrape, and every query runs', async () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8'));
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.length >= 20, `only ${exprs.length} queries in the dashboard`);
  const scraped = new Map();
  for (const job of ['relay', 'websocket-handler', 'event-handler']) scraped.set(job, await prom.namesOf(job));
  const missing = [];
  for (const expr of exprs) {
    for (const name of metricNames(expr)) {
      if (![...scraped.values()].some((names) => names.has(name))) missing.push(name);
    }
    // Grafana's variables, as the dashboard would send them.
    const query = expr.replaceAll('$job', '.*').replaceAll('$__rate_interval', '1m');
    await prom.query(query); // throws on a PromQL error
  }
  assert.deepEqual([...new Set(missing)], [], 'dashboard metrics missing from every scrape');

  // Each role shows the series that apply to it.
  const clientSide = ['nostpp_connections', 'nostpp_subscriptions', 'nostpp_client_messages_total', 'nostpp_events_received_total'];
  const storeSide = ['nostpp_commit_duration_seconds_bucket', 'nostpp_commit_batch_size_bucket', 'nostpp_query_duration_seconds_bucket', 'nostpp_store_errors_total'];
  const everyRole = ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'process_open_fds', 'process_start_time_seconds', 'nostpp_build_info'];
  const expected = {
    relay: [...clientSide, ...storeSide, ...everyRole],
    'websocket-handler': [...clientSide, ...everyRole, 'nostpp_event_handler_request_duration_seconds_bucket', 'nostpp_event_handler_errors_total', 'nostpp_bus_events_total'],
    'event-handler': [...storeSide, ...everyRole, 'nostpp_http_requests_total', 'nostpp_http_connections', 'nostpp_query_cache_total', 'nostpp_bus_events_total', 'nostpp_bus_errors_total'],
  };
  for (const [job, names] of Object.entries(expected)) {
    const absent = names.filter((n) => !scraped.get(job).has(n));
    assert.deepEqual(absent, [], `${job} lacks series`);
  }
});

test('the sample Prometheus configuration is valid', () => {
  const out = execFileSync('promtool', ['check', 'config', path.join(REPO, 'deploy/prometheus.yml')], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.match(out, /SUCCESS/);
});
