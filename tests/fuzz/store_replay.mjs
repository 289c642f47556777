// The browser side of tests/fuzz/test_nothing_lost.py: the real js/src/store/store.js (and wire.js)
// fed the exact messages a kernel-side run sent. One JSON line per stream in, one out.
//
// In:  {"open": snapshot, "log": [["msg", content] | ["trait", snapshot], ...], "drop": seq|null}
//      (the widget's comm traffic in order; the ops message numbered `drop` is lost)
// Out: {"live": b64, "final": b64, "syncs": n, "warnings": [...]}
//      live: the text held after the custom messages alone (ops and sync replies), final:
//      after the whole log, trait updates included; both as base64 of their UTF-8 bytes.

import { createInterface } from "node:readline";
import { FakeModel } from "../../js/test/fake-model.js";
import { Store } from "../../js/src/store/store.js";
import { connect } from "../../js/src/store/sync.js";

const warnings = [];
console.warn = (...args) => warnings.push(args.join(" "));

/** @param {Store} store */
const text = (store) => {
  const blocks = store.state.blocks.filter((b) => b.type === "text");
  return Buffer.from(blocks.map((b) => b.text).join(""), "utf8").toString("base64");
};

/** Replay a log; `traits`: whether snapshot trait updates after the opening one are seen. */
function replay(stream, traits) {
  const model = new FakeModel({ snapshot: stream.open });
  const store = new Store();
  const disconnect = connect(store, model, { retryMs: 1e9, maxTries: 10 });
  for (const [kind, value] of stream.log) {
    if (kind === "trait") {
      if (traits) model.set("snapshot", value);
    } else if (!(value.seq === stream.drop && value.type === undefined)) {
      model.msg(value);
    }
  }
  disconnect();
  const syncs = model.sent.filter((m) => m.type === "sync").length;
  return { text: text(store), syncs };
}

for await (const line of createInterface({ input: process.stdin })) {
  warnings.length = 0;
  const stream = JSON.parse(line);
  const live = replay(stream, false);
  const final = replay(stream, true);
  process.stdout.write(
    `${JSON.stringify({ live: live.text, final: final.text, syncs: live.syncs, warnings })}\n`,
  );
}
