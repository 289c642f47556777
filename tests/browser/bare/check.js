// DOM safety checks shared by the vitest suite and the bare browser page (rendering.md §5).
// Returns a list of human-readable violations found under `root` (empty = safe).

const FORBIDDEN = "img,svg,iframe,frame,form,script,style,object,embed,video,audio,source,link,meta,base,template,textarea,select";
const OWN_BUTTONS = ["nba-stop", "nba-details-toggle", "nba-timeline-toggle", "nba-copy", "nba-more", "nba-fold", "nba-action", "nba-step-button", "nba-chat-send"];
// Our own UI (the Re-run editor, a paused call's form, a fork's edited result, the chat box); markdown never makes a <textarea> (DOMPurify drops it).
const OWN_FORBIDDEN = ["nba-rerun-args", "nba-pause-input", "nba-fork-result", "nba-chat-text"];
const HREF_OK = /^(?:https?:|mailto:|#)/i;
// rendering.md §5: an <img> only from a tool result's image bundle or a picture the model made,
// built by nbagent (class nba-data-image, nba-media-image) from a base64 PNG, JPEG or WebP (a
// model's: or GIF) whose first bytes are that format's.
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/]+={0,2})$/;
const IMAGE_MAGIC = {
  png: (/** @type {string} */ b) => b.startsWith("\x89PNG\r\n\x1a\n"),
  jpeg: (/** @type {string} */ b) => b.startsWith("\xff\xd8\xff"),
  gif: (/** @type {string} */ b) => b.startsWith("GIF87a") || b.startsWith("GIF89a"),
  webp: (/** @type {string} */ b) => b.startsWith("RIFF") && b.slice(8, 12) === "WEBP",
};

/** @param {Element} el */
function isDataImage(el) {
  const own = el.classList.contains("nba-data-image") || el.classList.contains("nba-media-image");
  if (el.tagName !== "IMG" || !own || el.hasAttribute("srcset")) return false;
  const m = DATA_IMAGE.exec(el.getAttribute("src") ?? "");
  if (!m || (m[1] === "gif" && !el.classList.contains("nba-media-image"))) return false;
  let head;
  try {
    head = atob(m[2].slice(0, 16));
  } catch {
    return false;
  }
  return IMAGE_MAGIC[/** @type {keyof typeof IMAGE_MAGIC} */ (m[1])](head);
}

// An <audio> only from a tool result's sound bundle or a sound the model made, built by nbagent
// (class nba-data-audio, nba-media-audio) from base64 audio whose first bytes are its
// container's: a player, no <source> or <track>.
const DATA_AUDIO = /^data:audio\/(wav|mpeg|ogg|webm|flac|aac|mp4);base64,([A-Za-z0-9+/]+={0,2})$/;
const AUDIO_MAGIC = {
  wav: /^RIFF[^]{4}WAVE/,
  mpeg: /^(?:ID3|\xff[\xe2-\xe7\xea-\xef\xf2-\xf7\xfa-\xff])/,
  ogg: /^OggS/,
  webm: /^\x1aE\xdf\xa3/,
  flac: /^fLaC/,
  aac: /^(?:ID3|\xff[\xf0\xf1\xf8\xf9])/,
  mp4: /^[^]{4}ftyp/,
};

/** @param {Element} el */
function isDataAudio(el) {
  const own = el.classList.contains("nba-data-audio") || el.classList.contains("nba-media-audio");
  if (el.tagName !== "AUDIO" || !own || el.childElementCount) return false;
  const m = DATA_AUDIO.exec(el.getAttribute("src") ?? "");
  if (!m) return false;
  try {
    return AUDIO_MAGIC[/** @type {keyof typeof AUDIO_MAGIC} */ (m[1])].test(atob(m[2].slice(0, 16)));
  } catch {
    return false;
  }
}

// MathML only as nbagent's own (rendering.md §2, §5): a <math> in a span.nb-mathml that
// nbagent's math.js made, holding only these elements and attributes (written here on their
// own, not imported from js/src/markdown/math.js, so that a looser allow-list there fails here).
const MATHML_NS = "http://www.w3.org/1998/Math/MathML";
const MATH_TAGS = new Set(
  "math semantics annotation mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mlabeledtr mtd mstyle mpadded mphantom menclose merror".split(" "),
);
const MATH_ATTRS = new Set(
  "class xmlns encoding display displaystyle scriptlevel mathvariant mathcolor mathbackground mathsize fence separator stretchy symmetric largeop movablelimits form accent accentunder lspace rspace minsize maxsize linethickness width height depth voffset notation rowspacing rowalign rowlines columnspacing columnalign columnlines frame framespacing side".split(" "),
);

/** @param {Element} el @returns {string[]} */
function mathViolations(el) {
  const out = [];
  const name = el.localName;
  if (name === "math" && !(el.parentElement?.matches("span.nb-mathml") && el.closest(".nba-md"))) {
    out.push("<math> outside nbagent's math container");
  }
  if (name !== "math" && !el.parentElement?.closest("math")) out.push(`MathML <${name}> outside <math>`);
  if (!MATH_TAGS.has(name)) out.push(`MathML element <${name}> not allowed`);
  if (name === "annotation" && el.getAttribute("encoding") !== "application/x-tex") out.push("annotation not TeX");
  for (const a of el.attributes) if (!MATH_ATTRS.has(a.name)) out.push(`<${name}> has MathML attribute ${a.name}`);
  const cls = el.getAttribute("class");
  if (cls !== null && cls !== "mtr-glue" && cls !== "mml-eqn-num") out.push(`<${name}> has class ${JSON.stringify(cls)}`);
  return out;
}

// SVG only as nbagent's own icons (js/src/base/icons.js): an <svg class="nba-icon nba-icon-NAME">
// of stroked <path>s in currentColor, never inside what a model or a tool wrote (written here
// on their own, like the MathML lists, so that a looser icons.js fails here).
const SVG_NS = "http://www.w3.org/2000/svg";
const ICON_CLASS = /^nba-icon nba-icon-[a-z]+$/;
/** @type {Record<string, Set<string>>} */
const ICON_ATTRS = {
  svg: new Set("class viewBox aria-hidden focusable fill stroke stroke-width stroke-linecap stroke-linejoin".split(" ")),
  path: new Set(["d"]),
};
const PATH_D = /^[MmLlHhVvAaZz0-9 .,-]+$/;
const CONTENT = ".nba-md, .nba-data-box, .nba-result, .nba-args, .nba-output, .nba-thinking-text";

/** @param {Element} el @returns {string[]} */
function iconViolations(el) {
  const out = [];
  const name = el.localName;
  const svg = name === "svg" ? el : el.parentElement;
  if (svg === null || svg.localName !== "svg" || !ICON_CLASS.test(svg.getAttribute("class") ?? "")) {
    out.push(`SVG <${name}> that is not one of nbagent's icons`);
  } else if (svg.parentElement?.closest(`svg, ${CONTENT}`)) {
    out.push("nbagent icon inside content");
  }
  const allowed = ICON_ATTRS[name];
  if (!allowed) out.push(`SVG element <${name}> not allowed`);
  else for (const a of el.attributes) if (!allowed.has(a.name)) out.push(`<${name}> has SVG attribute ${a.name}`);
  if (name === "path" && !PATH_D.test(el.getAttribute("d") ?? "")) out.push("icon path with a bad d");
  if (name === "svg" && (el.getAttribute("fill") !== "none" || el.getAttribute("stroke") !== "currentColor")) {
    out.push("icon not drawn in currentColor");
  }
  return out;
}

// The timeline's SVG (js/src/panels/timeline.js, issue 19): a track per row holding one bar and the
// axis's tick labels, placed by percentages; its only text is the ticks' numbers.
const TIMELINE_SVG = /^nba-tl-(?:track|ticks)$/;
/** @type {Record<string, Set<string>>} */
const TIMELINE_ATTRS = {
  svg: new Set(["class", "aria-hidden"]),
  rect: new Set(["class", "x", "width", "height"]),
  text: new Set(["x", "y"]),
};
const TIMELINE_VALUE = /^(?:nba-tl-(?:track|ticks|bar)|true|[0-9.]+%?)$/;
const TICK_TEXT = /^[0-9]+(?:\.[0-9])? [smh](?: [0-9]+ [sm])?$/;

/** @param {Element} el @returns {string[] | null} null: not the timeline's */
function timelineViolations(el) {
  const svg = el.localName === "svg" ? el : el.parentElement;
  if (svg?.localName !== "svg" || !TIMELINE_SVG.test(svg.getAttribute("class") ?? "")) return null;
  if (!svg.parentElement?.closest(".nba-timeline") || svg.parentElement.closest(CONTENT)) {
    return ["timeline SVG outside the timeline"];
  }
  const out = [];
  const allowed = TIMELINE_ATTRS[el.localName];
  if (!allowed) return [`timeline SVG element <${el.localName}> not allowed`];
  for (const a of el.attributes) {
    if (!allowed.has(a.name) || !TIMELINE_VALUE.test(a.value)) out.push(`timeline <${el.localName}> ${a.name}=${JSON.stringify(a.value)}`);
  }
  if (el.localName === "text" && !TICK_TEXT.test(el.textContent ?? "")) out.push("timeline text that is not a tick");
  return out;
}

/** @param {ParentNode} root @returns {string[]} */
export function violations(root) {
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    const ownMedia = isDataImage(el) || isDataAudio(el);
    let ownIcon = false;
    if (el.namespaceURI === MATHML_NS) out.push(...mathViolations(el));
    else if (el.namespaceURI === SVG_NS) {
      const bad = timelineViolations(el) ?? iconViolations(el);
      ownIcon = bad.length === 0;
      out.push(...bad);
    }
    else if (el.closest("math")) out.push(`<${el.localName}> (not MathML) inside <math>`);
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n === "src" && ownMedia) continue;
      if (n.startsWith("on") || n === "style" || n.startsWith("data-") || n === "src" || n === "srcset" || n === "formaction" || n === "xlink:href") {
        out.push(`<${el.tagName.toLowerCase()}> has attribute ${n}`);
      }
    }
    if (el.matches(FORBIDDEN) && !OWN_FORBIDDEN.some((c) => el.classList.contains(c)) && !ownMedia && !ownIcon) {
      out.push(`forbidden element <${el.tagName.toLowerCase()}>`);
    }
    if (el.tagName === "BUTTON" && !OWN_BUTTONS.some((c) => el.classList.contains(c))) {
      out.push(`foreign <button> ${JSON.stringify(el.textContent)}`);
    }
    if (el.tagName === "INPUT" && el.getAttribute("type") !== "checkbox") out.push("non-checkbox <input>");
    if (el.tagName === "A") {
      const href = el.getAttribute("href");
      if (href !== null && !HREF_OK.test(href)) out.push(`bad href ${JSON.stringify(href)}`);
      if (href !== null && (el.getAttribute("target") !== "_blank" || el.getAttribute("rel") !== "noopener noreferrer nofollow")) {
        out.push(`link without target/rel ${JSON.stringify(href)}`);
      }
    }
  }
  return out;
}
