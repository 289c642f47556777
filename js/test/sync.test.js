import { afterEach, describe, expect, test, vi } from "vitest";
import { Store } from "../src/store/store.js";
import { connect } from "../src/store/sync.js";
import widget, { storeFor } from "../src/widget/index.js";
import { FakeModel, runningState } from "./fake-model.js";

/** A proxy like anywidget's modelProxy: a new object per call, bound to the same model. */
const proxy = (/** @type {FakeModel} */ model) => ({
  get: model.get.bind(model),
  set: model.set.bind(model),
  send: model.send.bind(model),
  on: model.on.bind(model),
  off: model.off.bind(model),
  save_changes: model.save_changes.bind(model),
});

afterEach(() => vi.useRealTimers());

describe("sync retries", () => {
  test("an unanswered sync is sent again, backing off, until a snapshot arrives", () => {
    vi.useFakeTimers();
    const model = new FakeModel({ snapshot: { seq: 0, state: runningState() } });
    const store = new Store();
    const disconnect = connect(store, /** @type {any} */ (model), { retryMs: 100, maxTries: 4 });
    expect(model.sent).toEqual([{ type: "sync" }]);
    vi.advanceTimersByTime(100);
    expect(model.sent.length).toBe(2);
    vi.advanceTimersByTime(150); // the next one waits 200 ms
    expect(model.sent.length).toBe(2);
    vi.advanceTimersByTime(50);
    expect(model.sent.length).toBe(3);
    model.msg({ type: "snapshot", seq: 5, now: 1001, state: runningState() });
    vi.advanceTimersByTime(10_000);
    expect(model.sent.length).toBe(3);
    expect(store.seq).toBe(5);
    disconnect();
  });

  test("gives up after maxTries and stops its timer on cleanup", () => {
    vi.useFakeTimers();
    const model = new FakeModel({ snapshot: { seq: 0, state: runningState() } });
    const disconnect = connect(new Store(), /** @type {any} */ (model), {
      retryMs: 10,
      maxTries: 3,
    });
    vi.advanceTimersByTime(10_000);
    expect(model.sent.length).toBe(3);
    disconnect();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("one store per model", () => {
  test("initialize and render get different proxies but share the store and one sync", () => {
    const model = new FakeModel({
      snapshot: { seq: 0, state: runningState() },
      store_key: "k1",
    });
    const cleanup = widget.initialize({ model: /** @type {any} */ (proxy(model)) });
    const a = storeFor(/** @type {any} */ (proxy(model)));
    const b = storeFor(/** @type {any} */ (proxy(model)));
    expect(a).toBe(b);
    expect(model.sent).toEqual([{ type: "sync" }]);
    cleanup();
    expect(model.listenerCount()).toBe(0);
  });
});

describe("a page the kernel does not answer", () => {
  test("says so while the run goes on, and not once a snapshot arrives", async () => {
    vi.useFakeTimers();
    const { TranscriptView } = await import("../src/view/view.js");
    const model = new FakeModel({ snapshot: { seq: 0, state: runningState() } });
    const store = new Store();
    const disconnect = connect(store, /** @type {any} */ (model), { retryMs: 100 });
    const el = document.createElement("div");
    // Renders soon after a change on a (fake) timer, like frames, not on a MessageChannel.
    const view = new TranscriptView(store, /** @type {any} */ (model), el, {
      soon: (cb) => setTimeout(cb, 0),
    });
    const notice = () => /** @type {HTMLElement} */ (el.querySelector(".nba-notice"));
    vi.advanceTimersByTime(50);
    view.flush();
    expect(store.unreachable).toBe(false);
    vi.advanceTimersByTime(100); // the first retry: the kernel did not answer
    expect(store.unreachable).toBe(true);
    view.flush();
    vi.advanceTimersByTime(50);
    expect(notice().hidden).toBe(false);
    model.msg({ type: "snapshot", seq: 3, now: 1001, state: runningState() });
    expect(store.unreachable).toBe(false);
    vi.advanceTimersByTime(50);
    expect(notice().hidden).toBe(true);
    view.destroy();
    disconnect();
  });
});
