// JS imports kept like Python's (DEVELOP.md, "Modules and layers", the JS table): each layer is
// a folder of src/, a module imports its own layer and the layers before it in LAYERS, every
// module of src/ lies in a layer's folder, and no import makes a cycle. `npm run lint` (and so
// `make lint`) runs `depcruise src lab/src` with this file; Biome's noImportCycles says the same
// of cycles.

/** The layers' folders under src/, from the bottom up; lab/src/ is of the top one (widget). */
const LAYERS = ["base", "store", "markdown", "panels", "view", "widget"];

/** @param {string[]} names @returns {string} the modules of those layers' folders */
const inFolders = (names) => `^src/(${names.join("|")})/`;

const upward = LAYERS.slice(0, -1).map((name, i) => ({
  name: `no-upward-import-from-${name}`,
  comment: `a module of src/${name}/ imports from a layer above it (DEVELOP.md's JS layers)`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: `${inFolders(LAYERS.slice(i + 1))}|^lab/src/` },
}));

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
      comment: "a module of src/ outside the layers' folders: move it into its layer's folder",
      severity: "error",
      from: {},
      to: { path: "^src/", pathNot: inFolders(LAYERS) },
    },
    {
      name: "layered-importer",
      comment: "a module of src/ outside the layers' folders: move it into its layer's folder",
      severity: "error",
      from: { path: "^src/", pathNot: inFolders(LAYERS) },
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
