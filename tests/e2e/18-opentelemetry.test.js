// OpenTelemetry export (docs/opentelemetry.md): an OTLP/HTTP receiver written here collects
// what the relay POSTs (JSON) and the tests check span names, attributes, parent/child links
// (across websocket-handler and event-handler in the split deployment, where one trace per
// event starts in the websocket-handler), the resource, and the metrics. Then the collector is
// down (a closed port) or hangs (accepts, never answers): the relay behaves exactly as before.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import { freePort, isSplit, sleep, startRelay } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { newKey, signEvent, token } from './lib/nostr.js';

const WAIT_MS = 10_000;

// A tiny OTLP/HTTP receiver: collects the JSON bodies POSTed to /v1/traces and /v1/metrics.
// mode 'ok' answers 200 {}; mode 'hang' reads the request and never answers.
async function startReceiver(mode = 'ok') {
  const received = { traces: [], metrics: [], other: [] };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const kind = req.url === '/v1/traces' ? 'traces' : req.url === '/v1/metrics' ? 'metrics' : 'other';
      received[kind].push(entry);
      if (mode === 'hang') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function attributesOf(list = []) {
  const out = {};
  for (const { key, value } of list) {
    out[key] =
      value.stringValue ?? value.boolValue ?? value.doubleValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined);
  }
  return out;
}

// Every span received, flattened: { service, resource, name, kind, traceId, spanId,
// parentSpanId, attrs, status }.
function spansOf(receiver) {
  const spans = [];
  for (const { body } of receiver.received.traces) {
    for (const rs of JSON.parse(body).resourceSpans) {
      const resource = attributesOf(rs.resource.attributes);
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          spans.push({ ...span, service: resource['service.name'], resource, scope: ss.scope, attrs: attributesOf(span.attributes) });
        }
      }
    }
  }
  return spans;
}

// Every metric received: { service, name, data: the sum/gauge/histogram object, metric }.
function metricsOf(receiver) {
  const metrics = [];
  for (const { body } of receiver.received.metrics) {
    for (const rm of JSON.parse(body).resourceMetrics) {
      const service = attributesOf(rm.resource.attributes)['service.name'];
      for (const sm of rm.scopeMetrics) for (const metric of sm.metrics) metrics.push({ service, name: metric.name, metric });
    }
  }
  return metrics;
}

async function waitFor(what, predicate, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const exporterEnv = (url, extra = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_METRIC_EXPORT_INTERVAL: '300',
  OTEL_TRACES_SAMPLER: 'always_on',
  ...extra,
});

const hex = (n) => new RegExp(`^[0-9a-f]{${n}}$`);
const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;

async function withRelay(env, body) {
  const relay = await startRelay([], { env });
  try {
    await body(relay);
  } finally {
    await relay.stop();
  }
}

test('EVENT, REQ and COUNT spans: names, attributes, parent/child links, one trace per event', async () => {
  const receiver = await startReceiver('ok');
  try {
    await withRelay(
      exporterEnv(receiver.url, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=e2e%20run,team=relay' }),
      async (relay) => {
        const client = await connectRaw(relay.url);
        const key = newKey();
        const event = signEvent(key, { kind: 1, content: `traced ${token()}` });
        const ok = await client.publish(event);
        assert.equal(ok[2], true, JSON.stringify(ok));
        const { events } = await client.req('r1', [{ ids: [event.id] }]);
        assert.equal(events.length, 1);
        const count = await client.count('c1', [{ authors: [key.pk] }]);
        assert.equal(count[0], 'COUNT');
        const bad = signEvent(key, { content: 'bad signature' });
        bad.sig = '0'.repeat(128);
        const refused = await client.publish(bad);
        assert.equal(refused[2], false);

        const commits = (spans, traceId) =>
          spans.filter((s) => s.name === 'store.commit' && s.traceId === traceId);
        // Everything for the event: its commit span is the last to arrive.
        let spans = await waitFor('the spans of the event', () => {
          const all = spansOf(receiver);
          const root = all.find((s) => s.name === 'nostr.EVENT' && s.attrs['nostr.event.id'] === event.id);
          return root && commits(all, root.traceId).length ? all : null;
        });
        const root = spans.find((s) => s.name === 'nostr.EVENT' && s.attrs['nostr.event.id'] === event.id);
        const front = isSplit ? 'nostpp-websocket-handler' : 'nostpp-relay';
        assert.equal(root.service, front);
        assert.equal(root.kind, SERVER);
        assert.equal(root.parentSpanId ?? '', '', 'nostr.EVENT starts the trace');
        assert.match(root.traceId, hex(32));
        assert.match(root.spanId, hex(16));
        assert.equal(root.attrs['nostr.event.kind'], 1);
        assert.equal(root.attrs['nostr.ok.accepted'], true);
        assert.ok(BigInt(root.endTimeUnixNano) >= BigInt(root.startTimeUnixNano));
        assert.equal(root.resource['deployment.environment'], 'e2e run');
        assert.equal(root.resource.team, 'relay');
        assert.ok(root.resource['service.version'], 'service.version is set');
        assert.equal(root.scope.name, 'nostpp');

        const [commit] = commits(spans, root.traceId);
        assert.equal(commit.kind, INTERNAL);
        assert.ok(commit.attrs['nostpp.commit.batch_size'] >= 1);
        assert.ok(commit.attrs['nostpp.commit.seq'] >= 1);
        if (isSplit) {
          // websocket-handler: nostr.EVENT -> client POST /event; event-handler: server
          // POST /event (child of that client span) -> store.commit, all in one trace.
          const clientSpan = spans.find((s) => s.name === 'POST /event' && s.kind === CLIENT && s.parentSpanId === root.spanId);
          assert.ok(clientSpan, 'a client span under nostr.EVENT');
          assert.equal(clientSpan.service, 'nostpp-websocket-handler');
          assert.equal(clientSpan.traceId, root.traceId);
          assert.equal(clientSpan.attrs['http.response.status_code'], 200);
          const serverSpan = spans.find((s) => s.name === 'POST /event' && s.kind === SERVER && s.parentSpanId === clientSpan.spanId);
          assert.ok(serverSpan, 'the event handler span is the child of the websocket-handler client span');
          assert.equal(serverSpan.service, 'nostpp-event-handler');
          assert.equal(serverSpan.traceId, root.traceId, 'the trace id is carried through');
          assert.equal(serverSpan.attrs['nostr.event.id'], event.id);
          assert.equal(serverSpan.attrs['nostpp.event.outcome'], 'stored');
          assert.equal(serverSpan.resource['deployment.environment'], 'e2e run');
          assert.equal(commit.parentSpanId, serverSpan.spanId);
          assert.equal(commit.service, 'nostpp-event-handler');
        } else {
          assert.equal(commit.parentSpanId, root.spanId);
        }

        spans = await waitFor('the REQ, COUNT and refused EVENT spans', () => {
          const all = spansOf(receiver);
          const names = new Set(all.map((s) => s.name));
          const refusal = all.find((s) => s.name === 'nostr.EVENT' && s.attrs['nostr.event.id'] === bad.id);
          const queries = all.filter((s) => s.name === 'store.query' || s.name === 'store.count');
          return names.has('nostr.REQ') && names.has('nostr.COUNT') && refusal && queries.length >= 2 ? all : null;
        });
        const req = spans.find((s) => s.name === 'nostr.REQ');
        assert.equal(req.attrs['nostr.filters'], 1);
        assert.equal(req.attrs['nostr.req.events'], 1);
        const query = spans.find((s) => s.name === 'store.query' && s.traceId === req.traceId);
        assert.ok(query, 'store.query in the REQ trace');
        assert.equal(query.attrs['nostpp.query.events'], 1);
        const countSpan = spans.find((s) => s.name === 'nostr.COUNT');
        assert.equal(countSpan.attrs['nostr.count'], 1);
        assert.ok(spans.find((s) => s.name === 'store.count' && s.traceId === countSpan.traceId));
        if (isSplit) {
          const reqServer = spans.find((s) => s.name === 'POST /query' && s.kind === SERVER && s.traceId === req.traceId);
          assert.ok(reqServer, 'the event handler query span is in the REQ trace');
          assert.equal(query.parentSpanId, reqServer.spanId);
        } else {
          assert.equal(query.parentSpanId, req.spanId);
        }
        const refusal = spans.find((s) => s.name === 'nostr.EVENT' && s.attrs['nostr.event.id'] === bad.id);
        assert.equal(refusal.attrs['nostr.ok.accepted'], false);
        assert.equal(refusal.attrs['nostr.ok.reason'], 'invalid');
        for (const span of spans) {
          assert.match(span.traceId, hex(32));
          assert.match(span.spanId, hex(16));
          assert.match(span.startTimeUnixNano, /^\d+$/, '64-bit integers are strings');
        }
        assert.equal(receiver.received.traces[0].headers['content-type'], 'application/json');
      },
    );
  } finally {
    await receiver.close();
  }
});

test('every event of a batched request keeps its own trace across the hop', { skip: !isSplit && 'split deployment only' }, async () => {
  const receiver = await startReceiver('ok');
  try {
    await withRelay(exporterEnv(receiver.url), async (relay) => {
      const client = await connectRaw(relay.url);
      const key = newKey();
      const events = Array.from({ length: 200 }, (_, i) => signEvent(key, { content: `batch ${i} ${token()}` }));
      for (const event of events) client.send(['EVENT', event]); // no waiting: batches form
      for (const event of events) assert.equal((await client.ok(event.id))[2], true);
      const ids = new Set(events.map((e) => e.id));
      // Both services' spans for every event: server span -> client span -> nostr.EVENT.
      const spans = await waitFor('the spans of every event from both services', () => {
        const all = spansOf(receiver);
        const known = new Set(all.map((s) => s.spanId));
        const served = all.filter((s) => s.name === 'POST /event' && s.kind === SERVER && ids.has(s.attrs['nostr.event.id']));
        const clients = all.filter((s) => s.name === 'POST /event' && s.kind === CLIENT);
        return served.length === events.length && clients.length >= events.length &&
          clients.every((c) => known.has(c.parentSpanId)) ? all : null;
      });
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      let batched = 0;
      for (const server of spans.filter((s) => s.name === 'POST /event' && s.kind === SERVER)) {
        const clientSpan = byId.get(server.parentSpanId);
        assert.ok(clientSpan && clientSpan.kind === CLIENT, `the parent of ${JSON.stringify(server)} is a client span`);
        const root = byId.get(clientSpan.parentSpanId);
        assert.equal(root.name, 'nostr.EVENT');
        assert.equal(root.attrs['nostr.event.id'], server.attrs['nostr.event.id'], 'each item keeps its own trace');
        assert.equal(root.traceId, server.traceId);
        if (server.attrs['nostpp.batch.size'] > 1) batched++;
      }
      assert.ok(batched > 0, 'some events travelled in batches');
    });
  } finally {
    await receiver.close();
  }
});

test('metrics arrive as OTLP sums and gauges with the resource', async () => {
  const receiver = await startReceiver('ok');
  try {
    await withRelay(exporterEnv(receiver.url, { OTEL_SERVICE_NAME: 'e2e-nostpp' }), async (relay) => {
      const client = await connectRaw(relay.url);
      assert.equal((await client.publish(signEvent(newKey())))[2], true);
      const metrics = await waitFor('exported span counts', () => {
        const all = metricsOf(receiver);
        return all.some((m) => m.name === 'nostpp_otel_spans_exported_total' &&
          Number(m.metric.sum.dataPoints[0].asInt) > 0) ? all : null;
      });
      assert.ok(metrics.every((m) => m.service === 'e2e-nostpp'), 'OTEL_SERVICE_NAME names every service');
      const exported = metrics.find((m) => m.name === 'nostpp_otel_spans_exported_total').metric;
      assert.equal(exported.sum.isMonotonic, true);
      assert.equal(exported.sum.aggregationTemporality, 2, 'cumulative');
      const point = exported.sum.dataPoints[0];
      assert.match(point.timeUnixNano, /^\d+$/);
      assert.ok(BigInt(point.timeUnixNano) >= BigInt(point.startTimeUnixNano));
      if (isSplit) {
        // The event handler's own series: counters with labels, and a gauge.
        // An export after the event was stored (earlier ones may predate it).
        const stored = await waitFor('nostpp_events_accepted_total{outcome="stored"} >= 1', () => {
          for (const m of metricsOf(receiver)) {
            if (m.name !== 'nostpp_events_accepted_total') continue;
            const point = m.metric.sum.dataPoints.find((p) => attributesOf(p.attributes).outcome === 'stored');
            if (point && Number(point.asInt) >= 1) return point;
          }
          return null;
        });
        assert.match(stored.asInt, /^\d+$/);
        const inFlight = metricsOf(receiver).find((m) => m.name === 'nostpp_http_requests_in_flight');
        assert.ok(inFlight?.metric.gauge?.dataPoints.length, 'a gauge');
      }
    });
  } finally {
    await receiver.close();
  }
});

// Publish, live delivery, REQ and EOSE with the collector unusable: identical answers, and the
// process still stops promptly on SIGTERM.
async function checkRelayUnaffected(env) {
  const relay = await startRelay([], { env });
  let stopped = false;
  try {
    const subscriber = await connectRaw(relay.url);
    const publisher = await connectRaw(relay.url);
    const key = newKey();
    await subscriber.req('live', [{ authors: [key.pk] }]);
    const events = Array.from({ length: 100 }, (_, i) => signEvent(key, { content: `down ${i}` }));
    for (const event of events) publisher.send(['EVENT', event]);
    for (const event of events) {
      const ok = await publisher.ok(event.id);
      assert.equal(ok[2], true, JSON.stringify(ok));
    }
    const live = [];
    while (live.length < events.length) live.push(await subscriber.nextEvent('live'));
    assert.deepEqual(new Set(live.map((e) => e.id)), new Set(events.map((e) => e.id)));
    const { events: stored } = await publisher.req('again', [{ authors: [key.pk] }]);
    assert.equal(stored.length, events.length);
    if (isSplit) {
      // The event handler's GET /metrics counts what the collector did not take.
      let text = '';
      const total = (re) => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
      await waitFor('export errors and lost spans in GET /metrics', async () => {
        text = await (await fetch(`${relay.eventHandlerUrl}/metrics`)).text();
        return total(/^nostpp_otel_export_errors_total\{signal="traces"\} (\d+)/gm) > 0 &&
          total(/^nostpp_otel_spans_dropped_total\{reason="[a-z_]+"\} (\d+)/gm) > 0;
      });
    }
    await relay.stop();
    stopped = true;
    const processes = isSplit ? [relay.websocketHandler, relay.eventHandler] : [relay];
    for (const p of processes) {
      assert.deepEqual(p.exit, { code: 0, signal: null }, `${p.role} stopped on SIGTERM:\n${p.stderr.slice(-3000)}`);
    }
  } finally {
    if (!stopped) await relay.stop();
  }
}

const downEnv = (url) =>
  exporterEnv(url, { OTEL_EXPORTER_OTLP_TIMEOUT: '500', OTEL_BSP_MAX_QUEUE_SIZE: '64' });

test('telemetry down (connection refused): relay behaviour unchanged', async () => {
  await checkRelayUnaffected(downEnv(`http://127.0.0.1:${await freePort()}`));
});

test('telemetry hanging (never answers): relay behaviour unchanged', async () => {
  const receiver = await startReceiver('hang');
  try {
    await checkRelayUnaffected(downEnv(receiver.url));
    assert.ok(receiver.received.traces.length > 0, 'the exporter did reach the hanging receiver');
  } finally {
    await receiver.close();
  }
});
