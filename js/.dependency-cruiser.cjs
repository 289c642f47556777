// JS imports kept like Python's (DEVELOP.md, "Modules and layers", the JS table): no cycles,
// no import from a layer to one above it, and every module of src/ in a layer. `npm run lint`
// (and so `make lint`) runs `depcruise src lab/src` with this file; Biome's noImportCycles says
// the same of cycles. A module may import its own layer and the layers before it in LAYERS.

/** The layers from the bottom up: module paths under js/ (a regular expression's body each). */
const LAYERS = [
  [
    "base",
    [
      // helpers that import nothing of nbagent's, and the lazy chunks' holders (chunks.js)
      "src/base/(chunks|format|wire|numbers|icons|highlight|purify|kernel_end|frames|freeze|morph)",
      "src/base/(refs|read_only|saved_state|styles|loader)",
      "src/base/(debug|display|lanes_slot|acp|answer|tools|highlight_slot|output|escape)",
    ],
  ],
  ["store", ["src/store/(offer|store|sync|lanes)"]],
  [
    "markdown",
    [
      "src/markdown/(math|math_chunk|math_syntax|math_heal|typeset|table_copy|table_text|md_render)",
      "src/markdown/(heal|live)",
      "src/markdown/(streaming|markdown|page)",
    ],
  ],
  [
    "panels",
    [
      "src/panels/(panels|pause|rerun|rerun_edit|forks|data|timeline|timeline_slot|replay|replay_slot)",
      "src/panels/(status|status_words|fold|follow|answer_chunk|acp_view)",
      "src/panels/inspector/form",
    ],
  ],
  ["view", ["src/view/(view|lanes_view|saved)"]],
  [
    "widget",
    [
      "src/widget/(index|shared|at_hand|lanes_chunk|debug_chunk|data_chunk|acp_chunk|tools_chunk)",
      "src/widget/(highlight_chunk|output_chunk)",
      "src/widget/inspector/(index|catalog)",
      "src/widget/evaluation/[a-z_]+",
      "lab/src/[a-z_]+",
    ],
  ],
];

/** @param {string[]} paths @returns {string} */
const anyOf = (paths) => `^(${paths.map((p) => `(${p})`).join("|")})\\.js$`;

const upward = LAYERS.slice(0, -1).map(([name, paths], i) => ({
  name: `no-upward-import-from-${name}`,
  comment: `a module of the ${name} layer imports from a layer above it (DEVELOP.md's JS layers)`,
  severity: "error",
  from: { path: anyOf(paths) },
  to: { path: anyOf(LAYERS.slice(i + 1).flatMap(([, p]) => p)) },
}));

const everyModule = anyOf(LAYERS.flatMap(([, p]) => p));

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "an import cycle (Biome's noImportCycles finds these too)",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "in-a-layer",
      comment: "a JS module of src/ or lab/src/ that LAYERS does not place: give it a layer",
      severity: "error",
      from: {},
      to: { path: "^(src|lab/src)/.*\\.js$", pathNot: everyModule },
    },
    {
      name: "layered-importer",
      comment: "a JS module of src/ or lab/src/ that LAYERS does not place: give it a layer",
      severity: "error",
      from: { path: "^(src|lab/src)/.*\\.js$", pathNot: everyModule },
      to: {},
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^\\.\\.?/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|\\.test\\.js$" },
    moduleSystems: ["es6"],
  },
};
