// The hostile corpus of repeated openers (tests/fixtures/hostile_repeat.json), expanded, and
// a watchdog that renders each text in a worker (hostile_worker.js) and fails a hang, and the
// tests (`testFamilies`), split over files so that vitest's workers share them.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, test } from "vitest";

// Paths, not URLs: under vitest's jsdom, `URL` is jsdom's.
const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, "hostile_worker.js");

/**
 * @typedef {{name: string, unit: string, prefix?: string, suffix?: string}} Family
 * @typedef {{sizes: number[], frames: number, header: string, families: Family[]}} Corpus
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

/** A hang's budget, for one text rendered three times on a loaded machine. */
const BUDGET_MS = 120_000;

/**
 * Every size of the families whose index is `part` modulo `parts`: each text rendered whole
 * and streamed, alone and after a table header, in a worker of its own under a watchdog.
 * @param {number} part @param {number} parts
 */
export function testFamilies(part, parts) {
  const renderer = new Renderer();
  afterAll(() => renderer.close());
  describe.each(CORPUS.families.filter((_, i) => i % parts === part))("$name", (family) => {
    test.each(CORPUS.sizes)(
      "%i characters: whole and streamed, alone and after a table header",
      async (size) => {
        for (const header of ["", CORPUS.header]) {
          const text = header + expand(family, size);
          const where = `${family.name}, ${size} characters${header ? " after a table header" : ""}`;
          const r = await renderer.render(text, CORPUS.frames, BUDGET_MS).catch((e) => {
            renderer.restart();
            throw new Error(`${where}: ${e.message}`);
          });
          expect(r.done, where).toBe(true);
        }
      },
      2 * BUDGET_MS + 10_000,
    );
  });
}
