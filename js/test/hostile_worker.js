// Renders one hostile case (hostile.js) in a worker thread of its own, with jsdom, so that the
// test can stop a render that hangs (`Worker.terminate()` interrupts even a regular expression)
// and say which case it was, instead of freezing the test run.
import { parentPort } from "node:worker_threads";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", {
  url: "http://localhost/",
  pretendToBeVisual: true,
});
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in globalThis)) /** @type {any} */ (globalThis)[key] = dom.window[key];
}
const { renderMarkdown, StreamingMarkdown } = await import("../src/markdown/markdown.js");

/**
 * Stream `text` in messages of `message` characters, with a frame (flush) about every
 * `text.length / frames` characters (the step varies, so cuts fall at every phase of a
 * repeated unit), after the last message, and at the end; the worst flush in ms (a figure for
 * the benchmark, never asserted) and whether the end equals the whole render.
 * @param {string} text @param {number} message @param {number} frames @param {string} whole
 */
function stream(text, message, frames, whole) {
  const s = new StreamingMarkdown();
  const every = Math.max(message, Math.ceil(text.length / frames));
  let worst = 0;
  const frame = () => {
    const t0 = performance.now();
    s.flush();
    worst = Math.max(worst, performance.now() - t0);
  };
  let next = every;
  for (let at = 0, n = 0; at < text.length; at += message) {
    s.append(text.slice(at, at + message));
    if (at + message >= next) {
      next += every + (n++ % 7);
      frame();
    }
  }
  frame();
  s.setFinal(true);
  frame();
  return { worstFrameMs: worst, sameAsWhole: s.el.innerHTML === whole };
}

/** The two ways a text streams: messages of one character, and of 50. */
const MODES = /** @type {const} */ ([
  ["characters", 1],
  ["50-character messages", 50],
]);

parentPort?.on("message", (/** @type {{id: number, text: string, frames: number}} */ job) => {
  parentPort?.postMessage({ id: job.id, step: "whole render" });
  const t0 = performance.now();
  const whole = renderMarkdown(job.text).innerHTML;
  /** @type {Record<string, unknown>} */
  const out = { id: job.id, wholeMs: performance.now() - t0 };
  for (const [name, message] of MODES) {
    // What the test is told, step by step: which step a hang is in.
    parentPort?.postMessage({ id: job.id, step: `streamed by ${name}` });
    out[name] = stream(job.text, message, job.frames, whole);
  }
  parentPort?.postMessage({ ...out, done: true });
});
