// One hostile text (tests/fixtures/hostile_repeat.json) through the built widget on the bare
// page (?manual: frames run by hand): rendered whole, then streamed by characters and by
// 50-character messages, the way js/test/hostile_worker.js does it in jsdom. Each step is
// logged to the console first, so the Python watchdog can say which step a hang is in; the
// worst frame of each way is a figure for benchmarks/hostile.py, never asserted.

/** @typedef {{seq: number, ops: unknown[]}} OpsMessage */

const START = {
  version: 1,
  run_id: "hostile",
  status: "running",
  started_at: 1000.0,
  deltas: 0,
  blocks: [],
};
const END = { status: "completed", end_reason: "completed", ended_at: 1001.0 };

/** The two ways a text streams, as in hostile_worker.js: messages of one character, and of 50. */
const MODES = /** @type {const} */ ([
  ["characters", 1],
  ["50-character messages", 50],
]);

/**
 * Run the frames queued so far and force style and layout, as the browser would before
 * painting: the frame's cost in ms.
 * @param {any} nba
 */
async function frame(nba) {
  const t0 = performance.now();
  await nba.frame();
  document.getElementById("app")?.getBoundingClientRect();
  const ms = performance.now() - t0;
  // Then a task turn, as between real frames: formulas deferred past a frame's budget.
  // (scheduler.yield: chained setTimeouts are clamped to 4 ms each.)
  await /** @type {any} */ (globalThis).scheduler.yield();
  return ms;
}

/** A fresh widget with a running run and an empty answer; returns a message sender. */
function mountRun(/** @type {any} */ nba) {
  nba.mount();
  let seq = 0;
  /** @param {unknown[]} ops */
  const send = (ops) => nba.push(/** @type {OpsMessage} */ ({ seq: ++seq, ops }));
  send([
    ["r", START],
    ["+", { type: "text", id: "m", text: "", refusal: false }],
  ]);
  return send;
}

/**
 * Stream `text` in messages of `message` characters with a frame about every
 * `text.length / frames` characters (the step varies, so cuts fall at every phase of a
 * repeated unit) and one on the whole text, then end the run; the worst frame in ms and the
 * final markdown's HTML.
 * @param {any} nba @param {string} text @param {number} message @param {number} frames
 */
async function stream(nba, text, message, frames) {
  const send = mountRun(nba);
  const every = Math.max(message, Math.ceil(text.length / frames));
  let worst = await frame(nba);
  let next = every;
  for (let at = 0, n = 0; at < text.length; at += message) {
    send([["t", 0, text.slice(at, at + message)]]);
    if (at + message >= next) {
      next += every + (n++ % 7);
      worst = Math.max(worst, await frame(nba));
    }
  }
  worst = Math.max(worst, await frame(nba)); // the whole text, still streaming
  send([["r", END]]);
  worst = Math.max(worst, await frame(nba));
  return { worstFrameMs: worst, html: nba.mdHtml(0) };
}

/**
 * Render `text` whole and streamed both ways. `sameAsWhole` (whether a stream ends as the
 * whole render) is reported, not asserted here: the streaming tests own that property.
 * @param {{text: string, frames: number}} job
 */
export async function renderHostile({ text, frames }) {
  const nba = /** @type {any} */ (window).nba;
  console.log("hostile step: whole render");
  const send = mountRun(nba);
  send([["t", 0, text]]);
  send([["r", END]]);
  const wholeMs = await frame(nba);
  const whole = nba.mdHtml(0);
  /** @type {Record<string, unknown>} */
  const out = { wholeMs, violations: nba.check() };
  for (const [name, message] of MODES) {
    console.log(`hostile step: streamed by ${name}`);
    const { worstFrameMs, html } = await stream(nba, text, message, frames);
    out[name] = { worstFrameMs, sameAsWhole: html === whole };
  }
  console.log("hostile step: done");
  return out;
}
