// The markdown API the views and tests use: whole and streaming renders (whole.js and
// streaming.js, built on md_render.js), sanitizing (purify.js) and DOM morphing (morph.js).
// Only re-exports, so that no module the renderer is made of imports this one (no import
// cycle).

export { morph } from "../base/morph.js";
export { PURIFY, purify } from "../base/purify.js";
export { emphasisMeter, setEmphasisScans } from "./md_render.js";
export { StreamingMarkdown } from "./streaming.js";
export { renderMarkdown, renderMarkdownToFragment, warmUp } from "./whole.js";
