// An opened case, below the table at the view's full width (its run is as tall as it is, not
// cut by the table's scroll box): its number and name as its row has them, its error, its full
// input, expected answer and metadata (what the scorers were given), each scorer's value (and
// change) or error, its times, tokens and cost, Re-run case, and the case's run view drawn by
// the run widget's own code (through the loader): live from the run's model once the kernel
// gave it (`opened`), else read-only from the transcript saved with the evaluation
// (`transcripts`).

import { actionButton } from "../../base/controls.js";
import { setText } from "../../base/format.js";
import loader from "../../base/loader.js";
import { HOST_EVENT, OUTPUT_EVENT } from "../../store/offer.js";
import { ev, numbersInWords, scoreText, signed, TEXT } from "./rows.js";

/**
 * @typedef {import("./rows.js").Row} Row
 * @typedef {{get(name: string): any, widget_manager?: {get_model(id: string): Promise<any>},
 *   mountCase?: (el: HTMLElement, state: object) => () => void}} Model
 *   `mountCase`: how a saved case is drawn where there is no code model (nbagent's JupyterLab
 *   renderer of a saved notebook, js/lab/src/evaluation.js)
 * @typedef {{el: HTMLElement, draw(r: Row): void,
 *   mount(model: Model, key: string): Promise<void>, destroy(): void}} Detail
 */

/**
 * A read-only model of a finished case's saved run (what the run widget reads from a model).
 * @param {Model} model the evaluation's
 * @param {string} key unique per evaluation and case
 * @param {object} state the run's saved state (Transcript.to_dict())
 */
export function savedRunModel(model, key, state) {
  /** @type {Record<string, unknown>} */
  // What the run widget reads and has no default for (a missing title, forks, replay,
  // can_rerun read as none): a saved run offers nothing that needs the kernel.
  const traits = {
    snapshot: { seq: 1, state },
    store_key: key,
    code: model.get("code"),
    page_actions: false,
  };
  // As read_only.js's readOnlyModel, written out: importing it costs the chunk's last bytes.
  const none = () => {};
  return {
    get: (/** @type {string} */ k) => traits[k],
    on: none,
    off: none,
    send: none,
    widget_manager: model.widget_manager,
  };
}

/**
 * The saved run of a case whose run is its answer (`"t": 1`: nbagent/evaluation/table.py
 * `saved_rows` saved no transcript for it), made from its row (whose cells have its times).
 * @param {Row | undefined} r
 */
const implied = (r) =>
  r?.t ? { status: "completed", blocks: [{ type: "text", id: "text", text: r.output }] } : null;

/**
 * @param {number} i the case
 * @param {{send(msg: import("../../base/wire.js").PageMessage): void, mayAct: boolean, close(): void}} ctx
 * @returns {Detail}
 */
export function openDetail(i, ctx) {
  const el = ev("section", "detail");
  const name = ev("span", "");
  const close = actionButton("✕", "nba-ev-close");
  close.title = "Close";
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", ctx.close);
  const head = ev("div", "case-head");
  head.append(name, close);
  const info = ev("div", "info");
  const rerun = actionButton("Re-run case", "nba-ev-rerun");
  rerun.addEventListener("click", () => ctx.send({ type: "rerun", i }));
  const run = ev("div", "run");
  // A case's run view offers its output to a host (js/src/store/offer.js): not this output's.
  for (const name of [HOST_EVENT, OUTPUT_EVENT])
    run.addEventListener(name, (e) => e.stopPropagation());
  el.append(head, info, ...(ctx.mayAct ? [rerun] : []), run);
  // What the run view shows: "" (nothing yet), "saved" or "live"; a later mount wins.
  let kind = "";
  let liveRef = ""; // the live model shown (a re-run case gets another)
  /** @type {Row | undefined} the row as last drawn */
  let row;
  /** @type {(() => void) | null | undefined} */
  let cleanup;
  let gen = 0;
  let closed = false;
  let sig = "";

  /**
   * @param {string} to
   * @param {(box: HTMLElement) => unknown} draw returns the cleanup (or its promise)
   * @param {number} g
   */
  async function show(to, draw, g) {
    const box = ev("div", "view");
    try {
      const done = await draw(box);
      const end = typeof done === "function" ? /** @type {() => void} */ (done) : null;
      if (closed || g !== gen) return end?.();
      cleanup?.();
      cleanup = end;
      kind = to;
      run.replaceChildren(box);
    } catch (e) {
      if (!closed) setText(run, `Cannot show this run: ${e}`);
    }
  }

  /** @type {Detail} */
  const self = {
    el,
    draw(r) {
      row = r;
      // The number its row shows (the run's title says it too: nbagent/evaluation/cases.py).
      setText(name, `#${TEXT["#"](r)}${r.name ? ` ${r.name}` : ""} · ${r.status ?? ""}`);
      /** @type {[string, unknown, string?][]} */
      const parts = [
        ["Error", r.error, "err"],
        ["Input", r.input],
        ["Expected", r.expected],
        ["Metadata", r.metadata],
      ];
      const errors = r.score_errors ?? {};
      for (const [k, v] of Object.entries({ ...r.scores, ...errors })) {
        const delta = r.deltas?.[k];
        const change = delta ? ` (${signed(delta)} vs baseline)` : ""; // (none when zero)
        parts.push(
          errors[k]
            ? [`${k} failed`, errors[k], "err"]
            : [k, `${typeof v === "number" ? v : scoreText(v)}${change}`, "score"],
        );
      }
      parts.push(["Times, tokens, cost", numbersInWords(r)], ["Comment", r.comment]);
      const now = JSON.stringify(parts);
      if (now !== sig) {
        sig = now;
        info.replaceChildren(
          ...parts
            .filter(([, text]) => text !== null && text !== undefined && text !== "")
            .map(([label, text, c]) => {
              const item = ev("div", `field ${c ?? ""}`);
              item.append(ev("span", "label", label), ev("div", "text", String(text)));
              return item;
            }),
        );
      }
      rerun.disabled = r.status === "running" || r.status === "queued";
    },
    async mount(model, key) {
      const ref = model.get("opened")?.[String(i)];
      const state = model.get("transcripts")?.[i] ?? implied(row);
      const manager = model.widget_manager;
      if (typeof ref === "string" && ref && ref !== liveRef && manager) {
        const g = ++gen;
        try {
          const live = await manager.get_model(ref.replace("IPY_MODEL_", ""));
          if (g !== gen) return;
          liveRef = ref;
          return await show("live", (box) => loader.render({ model: live, el: box }), g);
        } catch {
          // no such model (a saved notebook's): the saved run shows
        }
      }
      if (kind || !state || typeof state !== "object") return;
      const mountCase = model.mountCase;
      if (typeof mountCase === "function")
        await show("saved", (box) => mountCase(box, state), ++gen);
      else if (model.get("code")) {
        const saved = savedRunModel(model, key, state);
        await show("saved", (box) => loader.render({ model: saved, el: box }), ++gen);
      }
    },
    destroy() {
      closed = true;
      cleanup?.();
      el.remove();
    },
  };
  return self;
}

/** The case chunk's export (js/src/base/chunks.js loads a chunk's default). */
export default { openDetail };
