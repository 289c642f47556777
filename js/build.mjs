// Bundle src/index.js (and the CSS it imports) into ../nbagent/static/widget.{js,css},
// src/loader.js, each widget's own tiny `_esm`, into ../nbagent/static/loader.js, and
// src/math_chunk.js (KaTeX), imported by the widget on the first formula, into
// ../nbagent/static/math.js. Each entry is a whole bundle of its own (no shared chunks).
// Usage: node build.mjs [--watch]
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: { widget: "src/index.js", loader: "src/loader.js", math: "src/math_chunk.js" },
  bundle: true,
  format: "esm",
  target: ["es2022"],
  outdir: "../nbagent/static",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "eof",
  logLevel: "info",
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
