// A form built from a JSON schema (an MCP tool's `inputSchema`, an elicitation's requested
// schema): strings, numbers, integers, booleans, enums (a select), arrays (one row per item),
// nested objects (a fieldset), nullable fields (a "null" box) and `$ref`s into `$defs`; or the
// arguments as raw JSON. The schema is the server's and untrusted: every text goes in with
// textContent, nesting and field counts are capped, and what the form cannot draw falls back
// to a JSON box for that field.

import { h } from "../../base/format.js";

/** Nesting deeper than this is a JSON box (a schema may refer to itself). */
const DEPTH = 6;
/** Fields drawn in one form at most; past it, the whole form is raw JSON. */
const FIELDS = 200;

/**
 * @typedef {Record<string, any>} Schema
 * @typedef {{el: HTMLElement, read: () => unknown}} Field a field and how to read its value
 *   (`undefined`: left empty; throws an Error naming what is wrong)
 */

/** @param {unknown} v @returns {v is Schema} */
const isSchema = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `schema` with a local `$ref` (`#/$defs/Name`, `#/definitions/Name`) followed, once.
 * @param {Schema} schema
 * @param {Schema} root
 * @returns {Schema}
 */
function resolved(schema, root) {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  /** @type {unknown} */
  let at = root;
  for (const part of ref.slice(2).split("/")) at = isSchema(at) ? at[part] : undefined;
  return isSchema(at) ? { ...at, ...schema, $ref: undefined } : {};
}

/**
 * The schema's type and whether null is allowed: `{"type": ["string", "null"]}`,
 * `{"anyOf": [{...}, {"type": "null"}]}` (pydantic's `str | None`).
 * @param {Schema} schema
 * @param {Schema} root
 * @returns {{schema: Schema, nullable: boolean}}
 */
function unwrapNull(schema, root) {
  let s = resolved(schema, root);
  let nullable = false;
  const options = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;
  if (options) {
    const rest = options.filter((o) => !(isSchema(o) && o.type === "null"));
    nullable = rest.length < options.length;
    if (rest.length === 1 && isSchema(rest[0])) {
      const { anyOf: _a, oneOf: _o, ...outer } = s;
      s = { ...outer, ...resolved(rest[0], root) };
    }
  }
  if (Array.isArray(s.type)) {
    nullable ||= s.type.includes("null");
    const types = s.type.filter((/** @type {unknown} */ t) => t !== "null");
    s = { ...s, type: types.length === 1 ? types[0] : undefined };
  }
  return { schema: s, nullable };
}

/** Counts the fields drawn, so that a huge schema stops being drawn. */
class Budget {
  constructor() {
    this.left = FIELDS;
  }
  take() {
    this.left -= 1;
    return this.left >= 0;
  }
}

/**
 * A field for `schema`, its label `name` (with `required` marked).
 * @param {string} name
 * @param {Schema} raw
 * @param {boolean} required
 * @param {{root: Schema, depth: number, budget: Budget}} at
 * @returns {Field}
 */
function field(name, raw, required, at) {
  const { schema, nullable } = unwrapNull(raw, at.root);
  const row = h("div", "nba-form-field");
  const label = h("label", "nba-form-label", name + (required ? " *" : ""));
  row.append(label);
  const input = control(name, schema, at);
  row.append(input.el);
  let isNull = /** @type {HTMLInputElement | null} */ (null);
  if (nullable) {
    isNull = /** @type {HTMLInputElement} */ (h("input", "nba-form-null"));
    isNull.type = "checkbox";
    const nullLabel = h("label", "nba-form-null-label", "null");
    nullLabel.prepend(isNull);
    row.append(nullLabel);
  }
  const help = typeof schema.description === "string" ? schema.description : "";
  if (help) row.append(h("div", "nba-form-help", help));
  return {
    el: row,
    read() {
      if (isNull?.checked) return null;
      const value = input.read();
      if (value === undefined && required) throw new Error(`${name}: required`);
      return value;
    },
  };
}

/**
 * The control for one value of `schema`.
 * @param {string} name
 * @param {Schema} schema
 * @param {{root: Schema, depth: number, budget: Budget}} at
 * @returns {Field}
 */
function control(name, schema, at) {
  if (!at.budget.take() || at.depth > DEPTH) return jsonBox(name, schema);
  if (Array.isArray(schema.enum)) return enumSelect(name, schema.enum);
  const type = schema.type ?? (isSchema(schema.properties) ? "object" : undefined);
  if (type === "boolean") return checkbox(schema);
  if (type === "string") return textInput(name, schema, "text");
  if (type === "number" || type === "integer") return textInput(name, schema, type);
  if (type === "object" && isSchema(schema.properties)) {
    return objectFields(schema, { ...at, depth: at.depth + 1 }, "nba-form-object");
  }
  if (type === "array" && isSchema(schema.items)) return arrayRows(name, schema, at);
  return jsonBox(name, schema);
}

/**
 * Each property of an object schema, in a fieldset.
 * @param {Schema} schema
 * @param {{root: Schema, depth: number, budget: Budget}} at
 * @param {string} cls
 * @returns {Field}
 */
function objectFields(schema, at, cls) {
  const box = h("div", cls);
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  /** @type {[string, Field][]} */
  const fields = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (at.budget.left < 0) break; // the form is raw JSON only: no need to draw the rest
    const f = field(key, isSchema(sub) ? sub : {}, required.has(key), at);
    fields.push([key, f]);
    box.append(f.el);
  }
  return {
    el: box,
    read() {
      // Entries, not assignments: a property a server names `__proto__` stays a property.
      /** @type {[string, unknown][]} */
      const out = [];
      for (const [key, f] of fields) {
        const v = f.read();
        if (v !== undefined) out.push([key, v]);
      }
      return Object.fromEntries(out);
    },
  };
}

/**
 * @param {string} name
 * @param {unknown[]} options
 * @returns {Field}
 */
function enumSelect(name, options) {
  const select = /** @type {HTMLSelectElement} */ (h("select", "nba-form-input"));
  select.setAttribute("aria-label", name);
  select.append(h("option", "", ""));
  options.forEach((o, i) => {
    const opt = h("option", "", typeof o === "string" ? o : JSON.stringify(o));
    opt.value = String(i);
    select.append(opt);
  });
  return {
    el: select,
    read: () => (select.value === "" ? undefined : options[Number(select.value)]),
  };
}

/** @param {Schema} schema @returns {Field} */
function checkbox(schema) {
  const box = /** @type {HTMLInputElement} */ (h("input", "nba-form-check"));
  box.type = "checkbox";
  box.checked = schema.default === true;
  return { el: box, read: () => box.checked };
}

/**
 * A text or number input; a number that does not parse (or an integer with a fraction) is an
 * error naming the field.
 * @param {string} name
 * @param {Schema} schema
 * @param {"text" | "number" | "integer"} kind
 * @returns {Field}
 */
function textInput(name, schema, kind) {
  const input = /** @type {HTMLInputElement} */ (h("input", "nba-form-input"));
  input.type = kind === "text" ? "text" : "number";
  if (kind === "integer") input.step = "1";
  input.setAttribute("aria-label", name);
  if (schema.default !== undefined && schema.default !== null) input.value = String(schema.default);
  return {
    el: input,
    read() {
      const text = input.value;
      if (text === "") return undefined;
      if (kind === "text") return text;
      const n = Number(text);
      if (!Number.isFinite(n) || (kind === "integer" && !Number.isInteger(n)))
        throw new Error(`${name}: not ${kind === "integer" ? "an integer" : "a number"}`);
      return n;
    },
  };
}

/**
 * An array: a row per item (each the item schema's control), + to add one, × to remove it.
 * @param {string} name
 * @param {Schema} schema
 * @param {{root: Schema, depth: number, budget: Budget}} at
 * @returns {Field}
 */
function arrayRows(name, schema, at) {
  const box = h("div", "nba-form-array");
  const list = h("div", "nba-form-items");
  const add = /** @type {HTMLButtonElement} */ (h("button", "nba-action nba-form-add", "+ item"));
  add.type = "button";
  /** @type {Field[]} */
  const items = [];
  const item = unwrapNull(/** @type {Schema} */ (schema.items), at.root).schema;
  add.addEventListener("click", () => {
    const row = h("div", "nba-form-item");
    const f = control(`${name}[${items.length}]`, item, { ...at, depth: at.depth + 1 });
    const remove = /** @type {HTMLButtonElement} */ (h("button", "nba-action", "×"));
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove item");
    remove.addEventListener("click", () => {
      items.splice(items.indexOf(f), 1);
      row.remove();
    });
    row.append(f.el, remove);
    items.push(f);
    list.append(row);
  });
  box.append(list, add);
  return {
    el: box,
    read: () => (items.length ? items.map((f) => f.read()) : undefined),
  };
}

/**
 * A JSON box for what the form does not draw.
 * @param {string} name
 * @param {Schema} schema
 * @returns {Field}
 */
function jsonBox(name, schema) {
  const area = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-form-json"));
  area.rows = 2;
  area.spellcheck = false;
  area.setAttribute("aria-label", `${name} (JSON)`);
  if (schema.default !== undefined) area.value = JSON.stringify(schema.default);
  return {
    el: area,
    read() {
      if (!area.value.trim()) return undefined;
      try {
        return JSON.parse(area.value);
      } catch {
        throw new Error(`${name}: not valid JSON`);
      }
    },
  };
}

/**
 * The form of an object schema, and a raw JSON box to switch to: `read()` gives the
 * arguments object, or throws an Error saying what is wrong.
 * @param {unknown} schema
 * @param {AbortSignal} signal
 */
export function schemaForm(schema, signal) {
  const root = isSchema(schema) ? schema : {};
  const el = h("div", "nba-form");
  const budget = new Budget();
  const fields = objectFields(resolved(root, root), { root, depth: 0, budget }, "nba-form-fields");
  const raw = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-form-raw"));
  raw.spellcheck = false;
  raw.rows = 6;
  raw.setAttribute("aria-label", "Arguments (JSON)");
  const toggle = /** @type {HTMLInputElement} */ (h("input", "nba-form-raw-toggle"));
  toggle.type = "checkbox";
  const toggleLabel = h("label", "nba-form-mode", "raw JSON");
  toggleLabel.prepend(toggle);
  const tooBig = budget.left < 0;
  const useRaw = (/** @type {boolean} */ on) => {
    if (on) {
      try {
        raw.value = JSON.stringify(fields.read(), null, 2);
      } catch {
        raw.value ||= "{}";
      }
    }
    fields.el.hidden = on;
    raw.hidden = !on;
  };
  toggle.addEventListener("change", () => useRaw(toggle.checked), { signal });
  toggle.checked = tooBig;
  toggle.disabled = tooBig;
  raw.value = "{}";
  useRaw(tooBig);
  el.append(toggleLabel, fields.el, raw);
  return {
    el,
    /** @returns {Record<string, unknown>} */
    read() {
      if (!toggle.checked) return /** @type {Record<string, unknown>} */ (fields.read());
      /** @type {unknown} */
      let value;
      try {
        value = JSON.parse(raw.value);
      } catch (e) {
        throw new Error(`Not valid JSON: ${e instanceof Error ? e.message : e}`);
      }
      if (!isSchema(value)) throw new Error("The arguments must be a JSON object");
      return value;
    },
  };
}
