// Bundle src/index.js (and the CSS it imports) into ../nbagent/static/widget.{js,css}, and
// src/loader.js, each widget's own tiny `_esm`, into ../nbagent/static/loader.js.
// Usage: node build.mjs [--watch]
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: { widget: "src/index.js", loader: "src/loader.js" },
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
