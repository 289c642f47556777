// A minimal anywidget model for tests: get/set/on/off/send/save_changes + emit("msg:custom").

export class FakeModel {
  /** @param {Record<string, any>} [traits] */
  constructor(traits = {}) {
    this.traits = { snapshot: {}, title: "", show_thinking: true, ...traits };
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
    /** @type {any[]} */
    this.sent = [];
  }
  /** @param {string} k */
  get(k) {
    return this.traits[k];
  }
  /** @param {string} k @param {any} v */
  set(k, v) {
    this.traits[k] = v;
    this.emit(`change:${k}`);
  }
  save_changes() {}
  /** @param {any} content */
  send(content) {
    this.sent.push(content);
  }
  /** @param {string} name @param {Function} cb */
  on(name, cb) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)?.add(cb);
  }
  /** @param {string} [name] @param {Function} [cb] */
  off(name, cb) {
    if (!name) this.handlers.clear();
    else if (!cb) this.handlers.delete(name);
    else this.handlers.get(name)?.delete(cb);
  }
  /** @param {string} name @param {...any} args */
  emit(name, ...args) {
    for (const cb of [...(this.handlers.get(name) ?? [])]) cb(...args);
  }
  /** Deliver a custom message from the kernel. @param {any} msg */
  msg(msg) {
    this.emit("msg:custom", msg, []);
  }
  /** Number of listeners (to check cleanup). */
  listenerCount() {
    let n = 0;
    for (const s of this.handlers.values()) n += s.size;
    return n;
  }
}

/** A running state with the given blocks. @param {any[]} [blocks] @param {Record<string, any>} [extra] */
export function runningState(blocks = [], extra = {}) {
  return {
    version: 1,
    run_id: "r1",
    title: null,
    model: "m",
    status: "running",
    end_reason: null,
    error: null,
    started_at: 1000,
    first_token_at: null,
    ended_at: null,
    deltas: 0,
    usage: {
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      reasoning_tokens: null,
      cached_input_tokens: null,
    },
    steps: [],
    warnings: [],
    activity: null,
    blocks,
    ...extra,
  };
}

/**
 * A finished tool call's block, `get_weather({"city": "Paris"})` → "18", with `extra` over it.
 * @param {Record<string, unknown>} [extra]
 * @returns {any}
 */
export function toolBlock(extra = {}) {
  return {
    type: "tool",
    id: "c1",
    name: "get_weather",
    arguments: '{"city": "Paris"}',
    args: { city: "Paris" },
    parse_error: null,
    state: "done",
    result: "18",
    ...extra,
  };
}
