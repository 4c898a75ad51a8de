// A well-behaved nostr-tools client that publishes an event and queries it back in a loop,
// timing each round trip. It runs in a worker thread, so the latencies it measures are the
// relay's and not the test process's own event loop (busy building attack messages).
//
//   const client = startGoodClient(url);   ...   const { publishMs, queryMs } = await client.stop();
//
// A wrong answer or a timeout rejects stop()'s promise.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROUND_TIMEOUT_MS = 10_000;
const PAUSE_MS = 20;

export function startGoodClient(url) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { url } });
  const result = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`good client worker exited with code ${code}`)));
  });
  return {
    stop() {
      worker.postMessage('stop');
      return result.finally(() => worker.terminate());
    },
  };
}

async function run({ url }) {
  const { connectNostr } = await import('./ws.js');
  const { newKey, now, signEvent } = await import('./nostr.js');
  let stopping = false;
  parentPort.on('message', () => (stopping = true));

  const relay = await connectNostr(url, { timeoutMs: ROUND_TIMEOUT_MS });
  const key = newKey();
  const publishMs = [];
  const queryMs = [];
  // One second apart, so the newest event of this author is always the one just published.
  let createdAt = now() - 3600;
  while (!stopping) {
    const event = signEvent(key, { created_at: createdAt++, content: `good ${createdAt}` });
    let started = performance.now();
    await relay.publish(event);
    publishMs.push(performance.now() - started);

    started = performance.now();
    const found = await new Promise((resolve, reject) => {
      const events = [];
      const timer = setTimeout(() => reject(new Error(`query timed out after ${ROUND_TIMEOUT_MS} ms`)), ROUND_TIMEOUT_MS);
      const sub = relay.subscribe([{ authors: [key.pk], limit: 1 }], {
        onevent: (e) => events.push(e),
        oneose: () => {
          clearTimeout(timer);
          sub.close();
          resolve(events);
        },
      });
    });
    queryMs.push(performance.now() - started);
    if (found.length !== 1 || found[0].id !== event.id) {
      throw new Error(`the query returned ${JSON.stringify(found.map((e) => e.id))}, not the event just published ${event.id}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  relay.close();
  parentPort.postMessage({ publishMs, queryMs });
}

// In the worker, a failure rejects here and surfaces as the worker's 'error' event.
if (!isMainThread) await run(workerData);
