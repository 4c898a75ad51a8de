// WebSocket clients for the tests:
//  - RawClient (ws package): sends arbitrary frames (also malformed ones nostr-tools can't
//    produce) and collects the relay's replies with timeouts.
//  - connectNostr(): a real nostr-tools Relay over the ws package (Node 20 has no global
//    WebSocket).
// Every client is tracked so closeAllClients() (called by setupRelay's after hook) can close
// them, letting the test process exit.
import WebSocket from 'ws';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';

useWebSocketImplementation(WebSocket);

export const DEFAULT_TIMEOUT_MS = 5_000;
const openClients = new Set();

// NIP-01 machine-readable prefixes (plus NIP-42's auth-required and "unsupported").
export const KNOWN_PREFIXES = [
  'duplicate',
  'pow',
  'blocked',
  'rate-limited',
  'invalid',
  'restricted',
  'mute',
  'error',
  'auth-required',
  'unsupported',
];
export const PREFIX_RE = new RegExp(`^(${KNOWN_PREFIXES.join('|')}):`);

// A refusal with its machine-readable prefix: NOTICE, CLOSED, or OK false.
export function isPrefixedRefusal(answer) {
  if (!Array.isArray(answer)) return false;
  const [verb] = answer;
  if (verb === 'NOTICE') return typeof answer[1] === 'string' && PREFIX_RE.test(answer[1]);
  if (verb === 'CLOSED') return typeof answer[2] === 'string' && PREFIX_RE.test(answer[2]);
  if (verb === 'OK') return answer[2] === false && typeof answer[3] === 'string' && PREFIX_RE.test(answer[3]);
  return false;
}

function short(value, max = 300) {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max)}...(${s.length} chars)` : s;
}

export class RawClient {
  static connect(url, { timeoutMs = DEFAULT_TIMEOUT_MS, headers } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
      const client = new RawClient(ws, url);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`connect to ${url} timed out`));
      }, timeoutMs + 100);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  constructor(ws, url) {
    this.ws = ws;
    this.url = url;
    this.inbox = []; // received, not yet consumed messages (parsed JSON, or {raw}/{binary})
    this.log = []; // every message received, for diagnostics
    this.waiters = [];
    this.closeInfo = null;
    this.serial = 0;
    openClients.add(this);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('error', () => {}); // surfaced through close
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      openClients.delete(this);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(
          new Error(
            `connection closed (code ${code} ${reason}) while waiting for ${w.what}; received: ${this.#recent()}`,
          ),
        );
      }
    });
  }

  #onMessage(data, isBinary) {
    let msg;
    if (isBinary) msg = { binary: data };
    else {
      const text = data.toString('utf8');
      try {
        msg = JSON.parse(text);
      } catch {
        msg = { raw: text };
      }
    }
    this.log.push(msg);
    const index = this.waiters.findIndex((w) => w.predicate(msg));
    if (index >= 0) {
      const [w] = this.waiters.splice(index, 1);
      clearTimeout(w.timer);
      w.resolve(msg);
    } else {
      this.inbox.push(msg);
    }
  }

  #recent(n = 8) {
    return this.log
      .slice(-n)
      .map((m) => short(m))
      .join(' | ') || '(nothing)';
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  nextId(prefix = 's') {
    this.serial += 1;
    return `${prefix}${this.serial}`;
  }

  // Sends a string as-is, or anything else JSON-encoded, as a text frame.
  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendBinary(buffer) {
    this.ws.send(buffer, { binary: true });
  }

  // Resolves with (and consumes) the first received message matching predicate.
  next(predicate, { timeoutMs = DEFAULT_TIMEOUT_MS, what = 'a message' } = {}) {
    const index = this.inbox.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    if (this.closeInfo) {
      return Promise.reject(
        new Error(
          `connection already closed (code ${this.closeInfo.code}) while waiting for ${what}; received: ${this.#recent()}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve, reject, what };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${this.#recent()}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  // Waits `ms` and returns (and consumes) every message matching predicate received so far.
  async drain(predicate, ms) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const matched = this.inbox.filter(predicate);
    this.inbox = this.inbox.filter((m) => !predicate(m));
    return matched;
  }

  // Any answer that is a NOTICE, CLOSED, OK or COUNT (the things a relay says to a client).
  nextAnswer(opts = {}) {
    return this.next(
      (m) => Array.isArray(m) && ['NOTICE', 'CLOSED', 'OK', 'COUNT', 'EOSE'].includes(m[0]),
      { what: 'a NOTICE/CLOSED/OK answer', ...opts },
    );
  }

  // Sends an EVENT and resolves with its OK message ["OK", id, accepted, message].
  async publish(event, opts = {}) {
    this.send(['EVENT', event]);
    return this.ok(event.id, opts);
  }

  ok(id, opts = {}) {
    return this.next((m) => Array.isArray(m) && m[0] === 'OK' && m[1] === id, {
      what: `OK for ${id}`,
      ...opts,
    });
  }

  // Collects EVENTs of a subscription until its EOSE (or CLOSED).
  // Resolves with { events, eose: bool, closed: message|null, raw: [...] }.
  async collect(subId, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    const events = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for EOSE of ${subId}`);
      const msg = await this.next(
        (m) => Array.isArray(m) && ['EVENT', 'EOSE', 'CLOSED'].includes(m[0]) && m[1] === subId,
        { timeoutMs: left, what: `EOSE for ${subId}` },
      );
      if (msg[0] === 'EVENT') events.push(msg[2]);
      else if (msg[0] === 'EOSE') return { events, eose: true, closed: null };
      else return { events, eose: false, closed: msg };
    }
  }

  // REQ + collect the stored events up to EOSE. Throws if the relay answers CLOSED,
  // unless allowClosed is set.
  async req(subId, filters, { allowClosed = false, ...opts } = {}) {
    this.send(['REQ', subId, ...filters]);
    const result = await this.collect(subId, opts);
    if (result.closed && !allowClosed) {
      throw new Error(`REQ ${subId} ${short(filters)} was CLOSED: ${short(result.closed)}`);
    }
    return result;
  }

  // Stored events for filters in a one-off subscription (closed afterwards).
  async query(filters, opts = {}) {
    const subId = this.nextId('q');
    const { events } = await this.req(subId, filters, opts);
    this.send(['CLOSE', subId]);
    return events;
  }

  // Sends COUNT; resolves with the reply (["COUNT", id, {...}] or ["CLOSED", id, msg]).
  count(id, filters, opts = {}) {
    this.send(['COUNT', id, ...filters]);
    return this.next(
      (m) => Array.isArray(m) && (m[0] === 'COUNT' || m[0] === 'CLOSED') && m[1] === id,
      { what: `COUNT reply for ${id}`, ...opts },
    );
  }

  // Live EVENTs for subId (consumes them), waiting up to ms.
  liveEvents(subId, ms) {
    return this.drain((m) => Array.isArray(m) && m[0] === 'EVENT' && m[1] === subId, ms).then(
      (messages) => messages.map((m) => m[2]),
    );
  }

  nextEvent(subId, opts = {}) {
    return this.next((m) => Array.isArray(m) && m[0] === 'EVENT' && m[1] === subId, {
      what: `a live EVENT on ${subId}`,
      ...opts,
    }).then((m) => m[2]);
  }

  close() {
    if (this.closeInfo) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.ws.close();
      } catch {
        this.ws.terminate();
      }
    });
  }
}

export function connectRaw(url, opts) {
  return RawClient.connect(url, opts);
}

// A nostr-tools Relay (the real client library), tracked for cleanup.
export async function connectNostr(url, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const relay = await Relay.connect(url, { timeout: timeoutMs });
  relay.publishTimeout = timeoutMs;
  const handle = {
    close: async () => {
      try {
        relay.close();
      } catch {
        // ignore
      }
    },
  };
  openClients.add(handle);
  return relay;
}

// nostr-tools count() has no timeout of its own.
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function closeAllClients() {
  const clients = [...openClients];
  openClients.clear();
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
}
