// nbagent's own icons: inline SVG drawn with DOM APIs (no emoji or dingbat glyphs, which show as
// empty boxes where no emoji font is installed, and look different on every system). They
// follow the text: `currentColor`, sized in em (widget/styles/layout.css, `.nba-icon`). Nothing
// from a model or a tool ever reaches an <svg>: the shapes are these constants
// (tests/browser/bare/check.js allows only `svg.nba-icon` made of them).

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Each icon: the `d` of its paths on a 16×16 grid, stroked (round caps and joins).
 * @type {Record<string, string[]>}
 */
const SHAPES = {
  check: ["M3 8.5l3.2 3.2L13 4.8"],
  cross: ["M4 4l8 8", "M12 4l-8 8"],
  // A slashed circle: a neutral "did not happen", neither success nor failure.
  cancelled: ["M8 2a6 6 0 1 0 0 12a6 6 0 1 0 0-12", "M3.8 12.2l8.4-8.4"],
  warning: ["M8 1.8L15 14H1z", "M8 6.2v3.6", "M8 11.9v.2"],
  // Two bars: a tool call paused before it runs, waiting for an answer.
  pause: ["M5.5 3.5v9", "M10.5 3.5v9"],
};

/** @typedef {keyof typeof SHAPES} IconName */

/** The names `icon` knows. */
export const ICON_NAMES = /** @type {IconName[]} */ (Object.keys(SHAPES));

/**
 * An inline SVG icon: `<svg class="nba-icon nba-icon-NAME" aria-hidden="true">`. Decorative:
 * the element it sits in says the same in words (a title, a label).
 * @param {IconName} name
 * @returns {SVGSVGElement}
 */
export function icon(name) {
  const paths = SHAPES[name];
  if (!paths) throw new TypeError(`icon: unknown icon ${JSON.stringify(name)}`);
  const svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG_NS, "svg"));
  svg.setAttribute("class", `nba-icon nba-icon-${name}`);
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "1.8");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}
