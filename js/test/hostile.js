// The hostile corpus of repeated openers (tests/fixtures/hostile_repeat.json), expanded, and
// a watchdog that renders each text in a worker (hostile_worker.js) and fails a hang.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

// Paths, not URLs: under vitest's jsdom, `URL` is jsdom's.
const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, "hostile_worker.js");

/**
 * @typedef {{name: string, unit: string, prefix?: string, suffix?: string}} Family
 * @typedef {{sizes: number[], header: string, families: Family[]}} Corpus
 */

/** @type {Corpus} */
export const CORPUS = JSON.parse(
  readFileSync(join(HERE, "../../tests/fixtures/hostile_repeat.json"), "utf8"),
);

/**
 * A family's text of about `size` characters: prefix, the unit repeated, suffix.
 * @param {Family} f @param {number} size
 */
export function expand(f, size) {
  const prefix = f.prefix ?? "";
  const suffix = f.suffix ?? "";
  const n = Math.max(1, Math.ceil((size - prefix.length - suffix.length) / f.unit.length));
  return prefix + f.unit.repeat(n) + suffix;
}

/** One worker for many renders; each `render` has its own watchdog. */
export class Renderer {
  constructor() {
    this.worker = new Worker(WORKER);
    this.id = 0;
  }

  /**
   * Render `text` whole and streamed with about `frames` frames each way; rejects with the
   * step that did not finish in `budgetMs` (the worker is then stopped: `restart()` next).
   * @param {string} text @param {number} frames @param {number} budgetMs
   * @returns {Promise<Record<string, any>>}
   */
  render(text, frames, budgetMs) {
    const id = ++this.id;
    let step = "starting";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.worker.off("message", onMessage);
        this.worker.terminate();
        reject(new Error(`still in "${step}" after ${budgetMs / 1000} s: a hang`));
      }, budgetMs);
      /** @param {any} m */
      const onMessage = (m) => {
        if (m.id !== id) return;
        if (!m.done) {
          step = m.step;
          return;
        }
        clearTimeout(timer);
        this.worker.off("message", onMessage);
        resolve(m);
      };
      this.worker.on("message", onMessage);
      this.worker.postMessage({ id, text, frames });
    });
  }

  restart() {
    this.worker.terminate();
    this.worker = new Worker(WORKER);
  }

  close() {
    return this.worker.terminate();
  }
}
