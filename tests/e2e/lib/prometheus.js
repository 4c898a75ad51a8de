// A real Prometheus server (the Debian `prometheus` package) for tests/e2e/observability: a
// plain process on 127.0.0.1 and a free port, a temporary data directory, a short scrape
// interval, stopped by PID (SIGTERM, then SIGKILL), also when the test process exits early.
//
//   const prom = await startPrometheus({ relay: ['127.0.0.1:8008'] });   // job -> targets
//   await prom.waitFor('nostpp_connections{job="relay"}', (v) => v === 2);
//   await prom.stop();
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, sleep } from './relay.js';

const BIN = process.env.PROMETHEUS_BIN || 'prometheus';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
export const SCRAPE_INTERVAL = '1s';

const running = new Set();
process.on('exit', () => {
  for (const proc of running) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function config(jobs) {
  // YAML is a superset of JSON: no YAML writer needed.
  return JSON.stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: Object.entries(jobs).map(([job, targets]) => ({
      job_name: job,
      metrics_path: '/metrics',
      static_configs: [{ targets }],
    })),
  });
}

class Prometheus {
  constructor({ proc, port, dir }) {
    this.proc = proc;
    this.pid = proc.pid;
    this.url = `http://127.0.0.1:${port}`;
    this.dir = dir;
    this.output = '';
    this.exited = new Promise((resolve) => proc.once('exit', resolve));
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-16_000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
  }

  async api(pathAndQuery) {
    const response = await fetch(`${this.url}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
    const body = await response.json();
    if (body.status !== 'success') {
      throw new Error(`Prometheus ${pathAndQuery}: ${body.errorType}: ${body.error}`);
    }
    return body.data;
  }

  // The instant vector of a PromQL expression: [{ metric: {labels}, value: number }].
  async query(expr) {
    const data = await this.api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    if (data.resultType === 'scalar') return [{ metric: {}, value: Number(data.result[1]) }];
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  // The single value of `expr`, or null when it has no result.
  async value(expr) {
    const result = await this.query(expr);
    if (result.length > 1) throw new Error(`${expr}: ${result.length} series, expected one`);
    return result.length ? result[0].value : null;
  }

  // Polls (bounded) until `expr` has one value that `check` accepts; returns it. Prometheus
  // sees a change only at its next scrape, so a value is expected to settle within seconds.
  async waitFor(expr, check, { timeoutMs = 20_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < deadline) {
      last = await this.value(expr);
      if (last !== null && check(last)) return last;
      await sleep(250);
    }
    throw new Error(`${expr}: last value ${last} did not satisfy ${check} within ${timeoutMs} ms`);
  }

  // Every metric name Prometheus has scraped from `job`.
  async namesOf(job) {
    const series = await this.api(`/api/v1/series?match[]=${encodeURIComponent(`{job="${job}"}`)}`);
    return new Set(series.map((s) => s.__name__));
  }

  async stop() {
    running.delete(this.proc);
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!stopped) {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Starts Prometheus scraping `jobs` ({ job: ['host:port', ...] }) and waits until it is ready.
export async function startPrometheus(jobs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-prometheus-'));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config(jobs));
  const port = await freePort();
  const proc = spawn(
    BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(proc);
  const prometheus = new Prometheus({ proc, port, dir });
  let spawnError = null;
  proc.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && !spawnError && proc.exitCode === null) {
    try {
      const ready = await fetch(`${prometheus.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (ready.ok) return prometheus;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await prometheus.stop();
  const why = spawnError ? `cannot run ${BIN}: ${spawnError.message} (apt-get install prometheus)` : 'not ready in time';
  throw new Error(`Prometheus ${why}\n${prometheus.output}`);
}
