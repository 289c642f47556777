// What a server offers, as the inspector lists it: a tool (its annotations as badges, its
// description, a form from its input schema, Call, its schemas), a resource (Read), a resource
// template (a field per URI variable, Read), a prompt (a field per argument, Get). Each asks
// the kernel with a message; the call shows as a turn under the lists.
// Twin: nbagent/widget/inspector.py

import { actionButton } from "../../base/controls.js";
import { h } from "../../base/format.js";
import { schemaForm } from "../../panels/inspector/form.js";

/**
 * @typedef {(msg: import("../../base/wire.js").InspectorRequest) => void} Send
 * @typedef {{send: Send, mayAct: boolean, signal: AbortSignal}} Ctx
 */

/** @param {unknown} v */
const str = (v) => (typeof v === "string" ? v : "");

/**
 * A collapsed entry: its summary line (the name first) and its body, made when first opened.
 * @param {string} name
 * @param {string[]} badges
 * @param {string} note a short line after the name
 * @param {() => HTMLElement[]} body
 * @param {AbortSignal} signal
 */
function entry(name, badges, note, body, signal) {
  const box = h("details", "nba-insp-entry");
  const summary = h("summary", "nba-insp-summary");
  summary.append(h("code", "nba-insp-name", name));
  for (const b of badges)
    summary.append(h("span", `nba-insp-badge nba-insp-${b}`, b.replace("_", "-")));
  if (note) summary.append(h("span", "nba-insp-note", note));
  box.append(summary);
  let made = false;
  box.addEventListener(
    "toggle",
    () => {
      if (box.open && !made) {
        made = true;
        box.append(...body());
      }
    },
    { signal },
  );
  return box;
}

/**
 * A schema shown as JSON, collapsed.
 * @param {string} title
 * @param {unknown} schema
 */
function schemaBox(title, schema) {
  const box = h("details", "nba-insp-schema");
  box.append(h("summary", "", title), h("pre", "nba-insp-json", JSON.stringify(schema, null, 2)));
  return box;
}

/**
 * The form's button and its error line: `go(read())` on click, or the error shown.
 * @param {string} label
 * @param {() => void} go
 * @param {Ctx} ctx
 */
function actionRow(label, go, ctx) {
  const row = h("div", "nba-insp-actions");
  const error = h("div", "nba-insp-error");
  error.hidden = true;
  if (!ctx.mayAct) {
    row.append(h("span", "nba-insp-note", "Calls are the notebook author's."));
    return row;
  }
  const button = actionButton(label, "nba-insp-go");
  button.addEventListener(
    "click",
    () => {
      try {
        go();
        error.hidden = true;
      } catch (e) {
        error.textContent = e instanceof Error ? e.message : String(e);
        error.hidden = false;
      }
    },
    { signal: ctx.signal },
  );
  row.append(button, error);
  return row;
}

/**
 * @param {Record<string, any>} tool
 * @param {Ctx} ctx
 */
export function toolEntry(tool, ctx) {
  const name = str(tool.name);
  const hints = Array.isArray(tool.hints) ? tool.hints.map(String) : [];
  /** @type {string[]} */
  const badges = hints.filter((x) => x === "read_only" || x === "destructive");
  // Its execution.taskSupport (a server of a revision that says it): "task-optional".
  if (tool.task_support) badges.push(`task-${str(tool.task_support).replace(/[^a-z]/g, "")}`);
  return entry(
    name,
    badges,
    str(tool.title),
    () => {
      const out = [];
      if (tool.description) out.push(h("div", "nba-insp-desc", str(tool.description)));
      const form = schemaForm(tool.input_schema, ctx.signal);
      out.push(form.el);
      out.push(actionRow("Call", () => ctx.send({ type: "call", name, args: form.read() }), ctx));
      out.push(schemaBox("Input schema", tool.input_schema ?? {}));
      if (tool.output_schema) out.push(schemaBox("Output schema", tool.output_schema));
      const notes = Object.entries(tool.annotations ?? {}).map(
        ([k, v]) => `${k}: ${JSON.stringify(v)}`,
      );
      if (notes.length) out.push(h("div", "nba-insp-note", notes.join(" · ")));
      return out;
    },
    ctx.signal,
  );
}

/**
 * @param {Record<string, any>} resource
 * @param {Ctx} ctx
 */
export function resourceEntry(resource, ctx) {
  const uri = str(resource.uri);
  const note = [str(resource.name), str(resource.mime_type)].filter(Boolean).join(" · ");
  return entry(
    uri,
    [],
    note,
    () => {
      const out = [];
      if (resource.description) out.push(h("div", "nba-insp-desc", str(resource.description)));
      out.push(actionRow("Read", () => ctx.send({ type: "read", uri }), ctx));
      return out;
    },
    ctx.signal,
  );
}

/** The `{name}` variables of an RFC 6570 URI template (simple expansion only). */
const variables = () => /\{([A-Za-z0-9_]{1,64})\}/g;

/**
 * @param {Record<string, any>} template
 * @param {Ctx} ctx
 */
export function templateEntry(template, ctx) {
  const uriTemplate = str(template.uri_template);
  return entry(
    uriTemplate,
    [],
    str(template.name),
    () => {
      const names = [...new Set([...uriTemplate.matchAll(variables())].map((m) => m[1]))];
      const properties = Object.fromEntries(names.map((n) => [n, { type: "string" }]));
      const form = schemaForm({ type: "object", properties, required: names }, ctx.signal);
      const out = [];
      if (template.description) out.push(h("div", "nba-insp-desc", str(template.description)));
      const read = () => {
        const args = /** @type {Record<string, string>} */ (form.read());
        const uri = uriTemplate.replace(variables(), (_, n) => encodeURIComponent(args[n] ?? ""));
        ctx.send({ type: "read", uri });
      };
      out.push(form.el, actionRow("Read", read, ctx));
      return out;
    },
    ctx.signal,
  );
}

/**
 * @param {Record<string, any>} prompt
 * @param {Ctx} ctx
 */
export function promptEntry(prompt, ctx) {
  const name = str(prompt.name);
  return entry(
    name,
    [],
    str(prompt.title),
    () => {
      const args = Array.isArray(prompt.arguments) ? prompt.arguments : [];
      /** @type {Record<string, object>} */
      const properties = {};
      for (const a of args)
        properties[str(a?.name)] = { type: "string", description: str(a?.description) };
      const required = args.filter((a) => a?.required === true).map((a) => str(a.name));
      const form = schemaForm({ type: "object", properties, required }, ctx.signal);
      const out = [];
      if (prompt.description) out.push(h("div", "nba-insp-desc", str(prompt.description)));
      const get = () => ctx.send({ type: "prompt", name, args: form.read() });
      out.push(form.el, actionRow("Get", get, ctx));
      return out;
    },
    ctx.signal,
  );
}
