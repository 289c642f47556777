// What a run reports besides messages and tool calls (nbagent/transcript/run_blocks.py), drawn by
// the tools chunk: an activity (AG-UI's ACTIVITY_*: its type, its last content as JSON, the note
// of a patch that did not apply) and an interrupt (what a run ended waiting for: its reason,
// message, expiry, the fields its answer takes, and the code that answers it: read from a stream
// nbagent does not drive, the notebook's code posts the agent's next run, with resume entries,
// nbagent/adapters/ag_ui/resume.py, which checks the answer against the schema; a driven agent's
// interrupts are paused questions instead, nbagent/adapters/ag_ui/questions.py). The words are
// the exports' (nbagent/transcript/export/run_notes.py). Everything from the agent goes in with
// textContent.
// Twin: nbagent/transcript/export/run_notes.py

import { h, setText } from "../base/format.js";

/** Characters of an activity's content shown (the rest cut, said so). */
const MAX_JSON = 20000;

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** A panel of the tools chunk with no blocks inside it: a head, its parts, an error line. */
class Note {
  /**
   * @param {string} label
   * @param {string} look its classes: a plan's box (an activity), a waiting pause's (an interrupt)
   * @param {HTMLElement[]} parts
   */
  constructor(label, look, ...parts) {
    this.el = h("div", look);
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", label);
    this.head = h("div", `${look.split(" ")[0]}-head`);
    this.error = h("div", "nba-pause-error");
    this.children = h("div");
    this.el.append(this.head, ...parts, this.error);
  }

  /** @param {string} text */
  say(text) {
    setText(this.error, text);
    this.error.hidden = !text;
  }
}

export class ActivityPanel extends Note {
  constructor() {
    const content = h("pre", "nba-result");
    super("Activity", "nba-plan nba-activity", content);
    this.content = content;
  }

  /** @param {Record<string, any>} b the activity block */
  update(b) {
    setText(this.head, `Activity: ${b.activity_type || "activity"}${b.error ? " · stopped" : ""}`);
    const text = JSON.stringify(b.content, null, 2) ?? "";
    setText(this.content, text.length > MAX_JSON ? `${text.slice(0, MAX_JSON)}\n… (cut)` : text);
    this.say(b.error ?? "");
  }
}

export class InterruptPanel extends Note {
  constructor() {
    const lines = h("div");
    const code = h("pre", "nba-result");
    super("Waiting for input", "nba-pause nba-pause-waiting", lines, code);
    this.lines = lines;
    this.code = code;
  }

  /** @param {Record<string, any>} b the interrupt block */
  update(b) {
    setText(this.head, `Waiting for input: ${b.reason || "interrupt"}`);
    const s = isObject(b.response_schema) ? b.response_schema : {};
    const need = Array.isArray(s.required) ? s.required : [];
    const fields = Object.keys(isObject(s.properties) ? s.properties : {}).slice(0, 50);
    const lines = [
      b.message,
      b.expires_at && `Expires: ${b.expires_at}`,
      fields.length && `Answer: ${fields.map((k) => (need.includes(k) ? `${k}*` : k)).join(", ")}`,
    ];
    this.lines.replaceChildren(...lines.filter(Boolean).map((t) => h("div", "", String(t))));
    setText(
      this.code,
      "from nbagent.adapters.ag_ui import resume_entries\n" +
        `body["resume"] = resume_entries(run.transcript, {${JSON.stringify(String(b.id))}: answer})`,
    );
  }
}
