// The MCP inspector's view: forms built from JSON schemas (every kind of field, nullable,
// `$ref`, raw JSON, required and malformed values, hostile schemas capped), the lists and
// their messages to the kernel, the server's requests and their answers, the feeds, and the
// server's text kept as text.
import { afterEach, describe, expect, test } from "vitest";
import { schemaForm } from "../src/panels/inspector/form.js";
import inspector from "../src/widget/inspector/index.js";
import { FakeModel } from "./fake-model.js";

const ac = new AbortController();
afterEach(() => {
  for (const el of [...document.body.children]) el.remove();
});

/**
 * @param {unknown} schema
 * @returns {ReturnType<typeof schemaForm>}
 */
function form(schema) {
  const f = schemaForm(schema, ac.signal);
  document.body.append(f.el);
  return f;
}

/** @param {HTMLElement} root @param {string} label */
function input(root, label) {
  const field = [...root.querySelectorAll(".nba-form-field")].find(
    (f) => f.querySelector(".nba-form-label")?.textContent?.replace(" *", "") === label,
  );
  if (!field) throw new Error(`no field ${label}`);
  return /** @type {HTMLInputElement} */ (field.querySelector("input, select, textarea"));
}

/** @param {HTMLInputElement | HTMLSelectElement} el @param {string} value */
function type(el, value) {
  el.value = value;
  el.dispatchEvent(new Event("input"));
}

describe("schema forms", () => {
  test("strings, integers, numbers, booleans and enums read as JSON values", () => {
    const f = form({
      type: "object",
      properties: {
        city: { type: "string", description: "Where" },
        days: { type: "integer" },
        temp: { type: "number" },
        metric: { type: "boolean", default: true },
        unit: { enum: ["C", "F"] },
      },
      required: ["city"],
    });
    expect(() => f.read()).toThrow("city: required");
    type(input(f.el, "city"), "Oslo");
    expect(f.read()).toEqual({ city: "Oslo", metric: true });
    type(input(f.el, "days"), "3");
    type(input(f.el, "temp"), "-1.5");
    type(input(f.el, "unit"), "1");
    expect(f.read()).toEqual({ city: "Oslo", days: 3, temp: -1.5, metric: true, unit: "F" });
    type(input(f.el, "days"), "2.5");
    expect(() => f.read()).toThrow("days: not an integer");
    expect(f.el.querySelector(".nba-form-help")?.textContent).toBe("Where");
  });

  test("a property named __proto__ or constructor is read as a property", () => {
    // As a server's JSON arrives: `__proto__` an own property, not the prototype.
    const f = form(
      JSON.parse(
        '{"type": "object", "properties": {"__proto__": {"type": "string"}, "constructor": {"type": "string"}}}',
      ),
    );
    type(input(f.el, "__proto__"), "a");
    type(input(f.el, "constructor"), "b");
    const value = f.read();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(value))).toEqual(
      JSON.parse('{"__proto__": "a", "constructor": "b"}'),
    );
  });

  test("nullable fields (anyOf with null, a type list) have a null box", () => {
    const f = form({
      type: "object",
      properties: {
        note: { anyOf: [{ type: "string" }, { type: "null" }], default: null },
        n: { type: ["integer", "null"] },
      },
    });
    const boxes = /** @type {HTMLInputElement[]} */ ([...f.el.querySelectorAll(".nba-form-null")]);
    expect(boxes).toHaveLength(2);
    type(input(f.el, "note"), "hi");
    expect(f.read()).toEqual({ note: "hi" });
    boxes[0].checked = true;
    boxes[1].checked = true;
    expect(f.read()).toEqual({ note: null, n: null });
  });

  test("nested objects through $defs, and arrays with a row per item", () => {
    const f = form({
      type: "object",
      $defs: { Point: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } },
      properties: {
        at: { $ref: "#/$defs/Point" },
        tags: { type: "array", items: { type: "string" } },
      },
    });
    const add = /** @type {HTMLButtonElement} */ (f.el.querySelector(".nba-form-add"));
    add.click();
    add.click();
    const items = /** @type {HTMLInputElement[]} */ ([
      ...f.el.querySelectorAll(".nba-form-items input"),
    ]);
    type(items[0], "a");
    type(items[1], "b");
    expect(() => f.read()).toThrow("x: required");
    type(input(f.el, "x"), "2");
    expect(f.read()).toEqual({ at: { x: 2 }, tags: ["a", "b"] });
    /** @type {HTMLButtonElement} */ (f.el.querySelector(".nba-form-item .nba-action")).click();
    expect(f.read()).toEqual({ at: { x: 2 }, tags: ["b"] });
  });

  test("raw JSON starts from the form's values and must be an object", () => {
    const f = form({ type: "object", properties: { q: { type: "string" } } });
    type(input(f.el, "q"), "hi");
    const toggle = /** @type {HTMLInputElement} */ (f.el.querySelector(".nba-form-raw-toggle"));
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
    const raw = /** @type {HTMLTextAreaElement} */ (f.el.querySelector(".nba-form-raw"));
    expect(JSON.parse(raw.value)).toEqual({ q: "hi" });
    raw.value = '{"q": "raw", "extra": [1]}';
    expect(f.read()).toEqual({ q: "raw", extra: [1] });
    raw.value = "[1]";
    expect(() => f.read()).toThrow("must be a JSON object");
    raw.value = "{nope";
    expect(() => f.read()).toThrow("Not valid JSON");
  });

  test("what the form cannot draw is a JSON box; a schema that refers to itself stops", () => {
    const f = form({
      type: "object",
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
      properties: { any: {}, tree: { $ref: "#/$defs/Node" } },
    });
    const any = input(f.el, "any");
    expect(any.tagName).toBe("TEXTAREA");
    type(any, '{"a": 1}');
    expect(f.read()).toMatchObject({ any: { a: 1 } });
    type(any, "{");
    expect(() => f.read()).toThrow("any: not valid JSON");
    expect(f.el.querySelectorAll(".nba-form-object").length).toBeLessThan(10);
  });

  test("a schema of thousands of fields is raw JSON only; hostile text stays text", () => {
    /** @type {Record<string, object>} */
    const properties = {};
    for (let i = 0; i < 5000; i++) properties[`f${i}`] = { type: "string" };
    const big = form({ type: "object", properties });
    const toggle = /** @type {HTMLInputElement} */ (big.el.querySelector(".nba-form-raw-toggle"));
    expect(toggle.checked).toBe(true);
    expect(toggle.disabled).toBe(true);
    expect(big.el.querySelectorAll(".nba-form-field").length).toBeLessThanOrEqual(201);

    const hostile = '<img src=x onerror="window.__pwned=1">';
    const f = form({ type: "object", properties: { [hostile]: { description: hostile } } });
    expect(f.el.querySelector("img")).toBeNull();
    expect(f.el.textContent).toContain(hostile);
  });
});

const hostile = '<img src=x onerror="window.__pwned=1">';
const catalog = {
  tools: [
    {
      name: "add",
      description: `Add two integers. ${hostile}`,
      input_schema: {
        type: "object",
        properties: { a: { type: "integer" }, b: { type: "integer" } },
        required: ["a", "b"],
      },
      hints: ["destructive", "open_world"],
    },
    { name: "forecast", input_schema: { type: "object" }, hints: ["read_only"] },
  ],
  resources: [{ uri: "notes://readme", name: "readme", mime_type: "text/markdown" }],
  templates: [{ uri_template: "notes://{topic}", name: "note" }],
  prompts: [{ name: "review", arguments: [{ name: "code", required: true }] }],
};

/** @param {Record<string, unknown>} [traits] */
function mount(traits = {}) {
  const model = new FakeModel({
    server: { name: "toolbox", transport: "stdio", protocol_version: "2026-07-28" },
    catalog,
    pending: [],
    calls: "",
    page_actions: true,
    ...traits,
  });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = inspector.render({ model: /** @type {any} */ (model), el });
  return { model, el, cleanup };
}

/** @param {HTMLElement} el @param {string} label */
function tab(el, label) {
  const b = [...el.querySelectorAll(".nba-insp-tab")].find((t) => t.textContent?.startsWith(label));
  /** @type {HTMLElement} */ (b).click();
}

/** @param {HTMLElement} el @param {string} name */
function open(el, name) {
  const entry = [...el.querySelectorAll(".nba-insp-entry")].find(
    (e) => e.querySelector(".nba-insp-name")?.textContent === name,
  );
  const details = /** @type {HTMLDetailsElement} */ (entry);
  details.open = true;
  details.dispatchEvent(new Event("toggle"));
  return details;
}

describe("the inspector", () => {
  test("lists tools with their badges, calls one, and asks for the page's history", () => {
    const { model, el } = mount();
    expect(model.sent[0]).toEqual({ type: "history" });
    const tabs = [...el.querySelectorAll(".nba-insp-tab")].map((t) => t.textContent);
    expect(tabs).toEqual(["Tools (2)", "Resources (2)", "Prompts (1)", "Log (0)", "JSON-RPC (0)"]);
    expect(el.querySelector(".nba-insp-destructive")?.textContent).toBe("destructive");
    expect(el.querySelector(".nba-insp-read_only")?.textContent).toBe("read-only");
    const add = open(el, "add");
    expect(add.querySelector(".nba-insp-desc")?.textContent).toContain(hostile);
    expect(el.querySelector("img")).toBeNull();
    type(input(add, "a"), "2");
    type(input(add, "b"), "3");
    /** @type {HTMLElement} */ (add.querySelector(".nba-insp-go")).click();
    expect(model.sent.at(-1)).toEqual({ type: "call", name: "add", args: { a: 2, b: 3 } });
  });

  test("says the server offers MCP tasks, and a tool's own task support", () => {
    const server = {
      name: "tasks",
      transport: "stdio",
      protocol_version: "2026-07-28",
      tasks: true,
    };
    const tools = [{ name: "build", task_support: "required<b>", hints: ["read_only"] }];
    const { el } = mount({ server, catalog: { ...catalog, tools } });
    expect(el.querySelector(".nba-insp-title .nba-insp-note")?.textContent).toBe(
      "stdio · protocol 2026-07-28 · tasks",
    );
    expect(el.querySelector(".nba-insp-task-requiredb")?.textContent).toBe("task-requiredb");
    const plain = mount().el;
    expect(plain.querySelector(".nba-insp-title .nba-insp-note")?.textContent).toBe(
      "stdio · protocol 2026-07-28",
    );
  });

  test("a resource is read, a template filled in, a prompt got", () => {
    const { model, el } = mount();
    tab(el, "Resources");
    /** @type {HTMLElement} */ (open(el, "notes://readme").querySelector(".nba-insp-go")).click();
    expect(model.sent.at(-1)).toEqual({ type: "read", uri: "notes://readme" });
    const note = open(el, "notes://{topic}");
    type(input(note, "topic"), "a b/c");
    /** @type {HTMLElement} */ (note.querySelector(".nba-insp-go")).click();
    expect(model.sent.at(-1)).toEqual({ type: "read", uri: "notes://a%20b%2Fc" });
    tab(el, "Prompts");
    const review = open(el, "review");
    /** @type {HTMLElement} */ (review.querySelector(".nba-insp-go")).click();
    expect(review.querySelector(".nba-insp-error")?.textContent).toBe("code: required");
    type(input(review, "code"), "x = 1");
    /** @type {HTMLElement} */ (review.querySelector(".nba-insp-go")).click();
    expect(model.sent.at(-1)).toEqual({ type: "prompt", name: "review", args: { code: "x = 1" } });
  });

  test("an elicitation is a form answered with accept, decline or cancel", () => {
    const { model, el } = mount();
    model.set("pending", [
      {
        id: "ask-1",
        kind: "elicitation",
        message: `Who? ${hostile}`,
        schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      },
    ]);
    const ask = /** @type {HTMLElement} */ (el.querySelector(".nba-insp-ask"));
    expect(ask.textContent).toContain(hostile);
    expect(ask.querySelector("img")).toBeNull();
    const accept = /** @type {HTMLElement} */ (ask.querySelector(".nba-insp-accept"));
    accept.click();
    expect(ask.querySelector(".nba-insp-error")?.textContent).toBe("name: required");
    type(input(ask, "name"), "Ada");
    accept.click();
    expect(model.sent.at(-1)).toEqual({
      type: "answer",
      id: "ask-1",
      action: "accept",
      content: { name: "Ada" },
    });
    /** @type {HTMLElement} */ (ask.querySelector(".nba-insp-decline")).click();
    expect(model.sent.at(-1)).toMatchObject({ id: "ask-1", action: "decline" });
    model.set("pending", []);
    expect(el.querySelector(".nba-insp-ask")).toBeNull();
  });

  test("a sampling request shows its messages and sends the typed reply", () => {
    const { model, el } = mount();
    model.set("pending", [
      {
        id: "ask-2",
        kind: "sampling",
        message: "Long text",
        messages: [{ role: "user", text: "Long text" }],
        system_prompt: "Summarize.",
      },
    ]);
    const ask = /** @type {HTMLElement} */ (el.querySelector(".nba-insp-ask"));
    expect(ask.textContent).toContain("user: Long text");
    expect(ask.textContent).toContain("system: Summarize.");
    const reply = /** @type {HTMLTextAreaElement} */ (ask.querySelector("textarea"));
    reply.value = "Short.";
    /** @type {HTMLElement} */ (ask.querySelector(".nba-insp-accept")).click();
    expect(model.sent.at(-1)).toEqual({
      type: "answer",
      id: "ask-2",
      action: "accept",
      content: "Short.",
    });
  });

  test("the feeds add each numbered entry once and keep the newest", () => {
    const { model, el } = mount();
    const log = (/** @type {number} */ n) => ({
      n,
      level: "info",
      logger: null,
      text: `line ${n}`,
    });
    model.msg({ type: "feed", log: [log(0), log(1)], rpc: [] });
    model.msg({ type: "feed", log: [log(0), log(1), log(2)], rpc: [] });
    tab(el, "Log");
    const lines = [...el.querySelectorAll(".nba-insp-log")].map((l) => l.textContent);
    expect(lines).toEqual(["infoline 0", "infoline 1", "infoline 2"]);
    expect(el.querySelector(".nba-insp-tab[aria-selected=true]")?.textContent).toBe("Log (3)");
    const many = Array.from({ length: 400 }, (_, i) => log(i + 3));
    model.msg({ type: "feed", log: many, rpc: [{ n: 0, dir: "out", at: 0, text: hostile }] });
    expect(el.querySelectorAll(".nba-insp-log")).toHaveLength(300);
    tab(el, "JSON-RPC");
    expect(el.querySelector(".nba-insp-rpc pre")?.textContent).toBe(hostile);
    expect(el.querySelector("img")).toBeNull();
  });

  test("a viewer's page shows the lists but no buttons that act", () => {
    const { el, cleanup } = mount({ page_actions: false });
    const add = open(el, "add");
    expect(add.querySelector(".nba-insp-go")).toBeNull();
    expect(add.textContent).toContain("Calls are the notebook author's.");
    expect(el.querySelector(".nba-insp-refresh")).toBeNull();
    cleanup();
    expect(el.querySelector(".nba-inspector")).toBeNull();
  });
});

describe("hostile servers", () => {
  test("every text of the hostile corpus, in every field a server sends, stays text", async () => {
    const { readFileSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const here = dirname(fileURLToPath(import.meta.url));
    /** @type {string[]} */
    const corpus = JSON.parse(
      readFileSync(join(here, "../../tests/fixtures/hostile.json"), "utf8"),
    );
    for (const text of corpus) {
      const schema = {
        type: "object",
        properties: {
          [text]: { type: "string", description: text, default: text },
          pick: { enum: [text, 1] },
          nested: { type: "object", properties: { [text]: { type: "integer" } } },
        },
        required: [text],
      };
      const { model, el, cleanup } = mount({
        server: { name: text, transport: text, target: text, instructions: text },
        catalog: {
          tools: [
            {
              name: text,
              title: text,
              description: text,
              input_schema: schema,
              output_schema: schema,
              annotations: { [text]: text },
              hints: [text, "destructive"],
            },
          ],
          resources: [{ uri: text, name: text, description: text, mime_type: text }],
          templates: [{ uri_template: `${text}{topic}`, name: text, description: text }],
          prompts: [
            { name: text, description: text, arguments: [{ name: text, description: text }] },
          ],
          error: text,
        },
        pending: [
          { id: "a", kind: "elicitation", message: text, schema, url: text },
          { id: "b", kind: "elicitation", message: text, schema },
          {
            id: "c",
            kind: "sampling",
            message: text,
            messages: [{ role: text, text }],
            system_prompt: text,
          },
        ],
      });
      model.msg({
        type: "feed",
        log: [{ n: 0, level: text, logger: text, text }],
        rpc: [{ n: 0, dir: "in", at: text, text }],
      });
      for (const name of ["Tools", "Resources", "Prompts", "Log", "JSON-RPC"]) {
        tab(el, name);
        for (const d of el.querySelectorAll("details")) {
          /** @type {HTMLDetailsElement} */ (d).open = true;
          d.dispatchEvent(new Event("toggle"));
        }
        const found = el.querySelectorAll("img, script, iframe, a, style, svg, math, form, object");
        expect(
          [...found].map((x) => x.outerHTML),
          text,
        ).toEqual([]);
        for (const x of el.querySelectorAll("*"))
          for (const attr of x.getAttributeNames())
            expect(
              attr.startsWith("on") || attr === "href" || attr === "src",
              `${attr} ${text}`,
            ).toBe(false);
      }
      expect(/** @type {any} */ (window).__pwned).toBeUndefined();
      cleanup();
    }
  });
});
