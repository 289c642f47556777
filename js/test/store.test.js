import { describe, expect, test } from "vitest";
import { emptyChange, mergeChange, Store } from "../src/store/store.js";
import { connect } from "../src/store/sync.js";
import { FakeModel, runningState } from "./fake-model.js";

const ops = (seq, list, now = 2000) => ({ type: "ops", seq, now, ops: list });

describe("Store.apply", () => {
  test("a run set adds to the run's apps, each sent once (fold/state.py MERGED_RUN_FIELDS)", () => {
    const s = new Store();
    s.load({ seq: 0, state: runningState() });
    const c = emptyChange();
    s.apply({ op: "run", set: { apps: { "ui://a": { html: "<p>a</p>" } } } }, c);
    s.apply({ op: "run", set: { apps: { "ui://b": { html: "<p>b</p>" } }, title: "t" } }, c);
    expect(s.state.apps).toEqual({
      "ui://a": { html: "<p>a</p>" },
      "ui://b": { html: "<p>b</p>" },
    });
    expect(s.state.title).toBe("t");
    expect(c.run).toBe(true);
  });

  test("the four ops give the transcript state", () => {
    const s = new Store();
    s.load({ seq: 0, state: runningState() });
    const c = emptyChange();
    s.apply({ op: "add", block: { type: "text", id: "m1", text: "", refusal: false } }, c);
    s.apply({ op: "append", i: 0, key: "text", text: "Hel" }, c);
    s.apply({ op: "append", i: 0, key: "text", text: "lo" }, c);
    s.apply(
      {
        op: "add",
        block: {
          type: "tool",
          id: "call_a",
          name: "w",
          arguments: "",
          args: null,
          parse_error: null,
          state: "args",
          result: null,
          is_error: false,
        },
      },
      c,
    );
    s.apply({ op: "append", i: 1, key: "arguments", text: '{"city":' }, c);
    s.apply({ op: "append", i: 1, key: "arguments", text: '"Paris"}' }, c);
    s.apply(
      {
        op: "set",
        i: 1,
        set: { state: "done", args: { city: "Paris" }, result: "18°C", duration_s: 0.5 },
      },
      c,
    );
    s.apply(
      { op: "run", set: { status: "completed", ended_at: 1003, end_reason: "completed" } },
      c,
    );
    expect(s.state.blocks[0].text).toBe("Hello");
    expect(s.state.blocks[1]).toMatchObject({
      arguments: '{"city":"Paris"}',
      state: "done",
      result: "18°C",
      args: { city: "Paris" },
    });
    expect(s.state.status).toBe("completed");
    expect([...c.blocks].sort()).toEqual([0, 1]);
    expect(c.run).toBe(true);
  });

  test("ops do not alias the message objects", () => {
    const s = new Store();
    const block = { type: "text", id: "m1", text: "a" };
    s.apply({ op: "add", block }, emptyChange());
    s.apply({ op: "append", i: 0, key: "text", text: "b" }, emptyChange());
    expect(block.text).toBe("a");
  });

  test("bad ops throw OpError", () => {
    const s = new Store();
    expect(() => s.apply({ op: "append", i: 3, key: "text", text: "x" }, emptyChange())).toThrow();
    expect(() => s.apply(/** @type {any} */ ({ op: "nope" }), emptyChange())).toThrow();
  });
});

describe("connect: seq, gaps and sync", () => {
  test("empty snapshot before the run asks for sync; in-order ops apply", () => {
    const m = new FakeModel();
    const s = new Store();
    connect(s, m);
    expect(m.sent).toEqual([{ type: "sync" }]);
    m.msg(
      ops(1, [
        { op: "run", set: { status: "running", started_at: 1000 } },
        { op: "add", block: { type: "text", id: "m1", text: "" } },
      ]),
    );
    m.msg(ops(2, [{ op: "append", i: 0, key: "text", text: "Hi" }]));
    expect(s.seq).toBe(2);
    expect(s.state.blocks[0].text).toBe("Hi");
    m.msg(ops(2, [{ op: "append", i: 0, key: "text", text: "DUP" }]));
    m.msg(ops(1, [{ op: "append", i: 0, key: "text", text: "OLD" }]));
    expect(s.state.blocks[0].text).toBe("Hi");
    expect(m.sent.length).toBe(1);
  });

  test("a gap asks for sync once until a snapshot arrives", () => {
    const m = new FakeModel({
      snapshot: { seq: 3, state: runningState([{ type: "text", id: "m1", text: "abc" }]) },
    });
    const s = new Store();
    connect(s, m);
    expect(m.sent).toEqual([{ type: "sync" }]); // still running → sync
    m.msg({
      type: "snapshot",
      seq: 3,
      now: 2000,
      state: runningState([{ type: "text", id: "m1", text: "abc" }]),
    });
    m.msg(ops(5, [{ op: "append", i: 0, key: "text", text: "X" }]));
    m.msg(ops(6, [{ op: "append", i: 0, key: "text", text: "Y" }]));
    expect(m.sent).toEqual([{ type: "sync" }, { type: "sync" }]);
    expect(s.state.blocks[0].text).toBe("abc");
    m.msg({
      type: "snapshot",
      seq: 6,
      now: 2000,
      state: runningState([{ type: "text", id: "m1", text: "abcXY" }]),
    });
    expect(s.seq).toBe(6);
    m.msg(ops(7, [{ op: "append", i: 0, key: "text", text: "Z" }]));
    expect(s.state.blocks[0].text).toBe("abcXYZ");
    m.msg(ops(9, []));
    expect(m.sent.length).toBe(3);
  });

  test("a finished snapshot trait does not ask for sync; change:snapshot reloads a newer seq", () => {
    const done = runningState([{ type: "text", id: "m1", text: "done" }], {
      status: "completed",
      ended_at: 1002,
    });
    const m = new FakeModel({ snapshot: { seq: 4, state: done } });
    const s = new Store();
    connect(s, m);
    expect(m.sent).toEqual([]);
    expect(s.state.blocks[0].text).toBe("done");
    m.set("snapshot", { seq: 2, state: runningState() });
    expect(s.state.status).toBe("completed");
    m.set("snapshot", { seq: 5, state: { ...done, title: "T" } });
    expect(s.state.title).toBe("T");
  });

  test("the snapshot trait written at the end, after the ops that carried it, is skipped", () => {
    const m = new FakeModel({ snapshot: { seq: 0, state: runningState() } });
    const s = new Store();
    connect(s, m);
    /** @type {import("../src/store/store.js").Change[]} */
    const changes = [];
    s.subscribe((c) => changes.push(c));
    m.msg(ops(1, [{ op: "add", block: { type: "text", id: "m1", text: "hi" } }]));
    m.msg(ops(2, [{ op: "run", set: { status: "completed" } }]));
    const final = structuredClone(s.state);
    m.set("snapshot", { seq: 2, state: final });
    expect(changes.map((c) => c.reset)).toEqual([false, false]); // no reload, no re-render
    expect(s.state).toEqual(final);
    // Ops that could not be applied leave the state wrong: the same seq loads then.
    const warn = console.warn;
    console.warn = () => {};
    m.msg(ops(3, [{ op: "append", i: 7, key: "text", text: "x" }]));
    console.warn = warn;
    expect(s.damaged).toBe(true);
    m.set("snapshot", { seq: 3, state: { ...final, title: "T" } });
    expect(s.state.title).toBe("T");
    expect(s.damaged).toBe(false);
  });

  test("an op that cannot apply asks for sync", () => {
    const m = new FakeModel({ snapshot: { seq: 1, state: runningState() } });
    const s = new Store();
    connect(s, m);
    m.msg({ type: "snapshot", seq: 1, state: runningState() });
    m.sent.length = 0;
    const warn = console.warn;
    console.warn = () => {};
    m.msg(ops(2, [{ op: "append", i: 5, key: "text", text: "x" }]));
    console.warn = warn;
    expect(m.sent).toEqual([{ type: "sync" }]);
  });

  test("clock offset from now", () => {
    const m = new FakeModel();
    const s = new Store();
    connect(s, m);
    const kernelNow = Date.now() / 1000 + 3600;
    m.msg(ops(1, [], kernelNow));
    expect(Math.abs(s.now() - kernelNow)).toBeLessThan(1);
  });

  test("cleanup removes listeners", () => {
    const m = new FakeModel();
    const off = connect(new Store(), m);
    expect(m.listenerCount()).toBe(2);
    off();
    expect(m.listenerCount()).toBe(0);
  });

  test("change summaries name the dirty blocks", () => {
    const m = new FakeModel({
      snapshot: {
        seq: 0,
        state: runningState([
          { type: "text", id: "a", text: "" },
          { type: "text", id: "b", text: "" },
        ]),
      },
    });
    const s = new Store();
    connect(s, m);
    /** @type {any[]} */
    const seen = [];
    s.subscribe((c) => seen.push({ reset: c.reset, blocks: [...c.blocks] }));
    m.msg(ops(1, [{ op: "append", i: 1, key: "text", text: "x" }]));
    expect(seen).toEqual([{ reset: false, blocks: [1] }]);
  });
});

describe("appended text in change summaries", () => {
  test("appends to text are collected per block and merge in order", () => {
    const s = new Store();
    s.load({
      seq: 0,
      state: runningState([
        { type: "text", id: "a", text: "x" },
        { type: "thinking", id: "t", text: "" },
      ]),
    });
    const c = emptyChange();
    s.apply({ op: "append", i: 0, key: "text", text: "Hel" }, c);
    s.apply({ op: "append", i: 1, key: "text", text: "hmm" }, c);
    s.apply({ op: "append", i: 0, key: "text", text: "lo" }, c);
    expect([...c.appends]).toEqual([
      [0, "Hello"],
      [1, "hmm"],
    ]);
    const later = emptyChange();
    s.apply({ op: "append", i: 0, key: "text", text: "!" }, later);
    mergeChange(c, later);
    expect(c.appends.get(0)).toBe("Hello!");
    expect(s.state.blocks[0].text).toBe("xHello!");
    expect(c.reset).toBe(false);
  });

  test("text replaced by a set is a reset for the views", () => {
    const s = new Store();
    s.load({ seq: 0, state: runningState([{ type: "text", id: "a", text: "old" }]) });
    const c = emptyChange();
    s.apply({ op: "set", i: 0, set: { refusal: true } }, c);
    expect(c.reset).toBe(false);
    s.apply({ op: "set", i: 0, set: { text: "new" } }, c);
    expect(c.reset).toBe(true);
  });
});

describe("wire form (nbagent/wire.py)", () => {
  test("decodeOps mirrors decode_ops", async () => {
    const { decodeOps } = await import("../src/base/wire.js");
    const block = { type: "text", id: "m1", text: "" };
    expect(
      decodeOps({
        ops: [
          ["+", block],
          ["t", 0, "Hi"],
          ["a", 1, "{"],
          ["p", 1, "note", "x"],
          ["=", 1, { state: "done" }],
          ["r", { status: "completed" }],
        ],
        d: 7,
      }),
    ).toEqual([
      { op: "add", block },
      { op: "append", i: 0, key: "text", text: "Hi" },
      { op: "append", i: 1, key: "arguments", text: "{" },
      { op: "append", i: 1, key: "note", text: "x" },
      { op: "set", i: 1, set: { state: "done" } },
      { op: "run", set: { status: "completed" } },
      { op: "run", set: { deltas: 7 } },
    ]);
  });

  test("compact messages (no type, d, occasional now) drive the store", () => {
    const m = new FakeModel({ snapshot: { seq: 0, state: {} } });
    const s = new Store();
    connect(s, m);
    m.msg({
      seq: 1,
      ops: [
        ["r", { status: "running", started_at: 1000 }],
        ["+", { type: "text", id: "m1", text: "" }],
      ],
      now: 1000.1,
    });
    m.msg({ seq: 2, ops: [["t", 0, "Hel"]], d: 1 });
    m.msg({ seq: 3, ops: [["t", 0, "lo"]], d: 2 });
    expect(s.state.blocks[0].text).toBe("Hello");
    expect(s.state.deltas).toBe(2);
    expect(s.seq).toBe(3);
    m.msg({ seq: 4, ops: [["?", 0]] });
    expect(m.sent.at(-1)).toEqual({ type: "sync" });
  });
});
