// The test app as ONE self-contained HTML document (dist/app.html): src/app.js bundled by
// esbuild with ext-apps and its dependencies, inlined into src/app.html's module script.
// `make` runs it (Makefile, tests/mcp_apps/dist/app.html); the output is never committed.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = (/** @type {string} */ p) => fileURLToPath(new URL(p, import.meta.url));
const built = await esbuild.build({
  entryPoints: [here("src/app.js")],
  bundle: true,
  format: "esm",
  minify: true,
  write: false,
  target: ["es2022"],
  legalComments: "none",
});
// A script's text may not hold "</script": escaped where the bundle has one.
const code = built.outputFiles[0].text.replaceAll("</script", "<\\/script");
const page = readFileSync(here("src/app.html"), "utf8");
if (!page.includes("/*APP*/")) throw new Error("src/app.html has no /*APP*/ mark");
mkdirSync(here("dist"), { recursive: true });
writeFileSync(here("dist/app.html"), page.replace("/*APP*/", () => code));
