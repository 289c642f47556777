// Following a widget's bottom in the notebook's own scroller while text streams in, until the
// user scrolls up (rendering.md §2, "Auto-scroll"); back at the bottom, it follows again.
//
// The widget has no scroll box of its own: it grows with the notebook, and the scroller is the
// nearest scrollable ancestor (JupyterLab 4's windowed notebook `.jp-WindowedPanel-outer`,
// Notebook 7's, or the page itself in VS Code, Colab and Voilà: document.scrollingElement).
//
// What is followed is the widget's bottom edge, not the scroller's bottom. A reader who runs a
// cell in the middle of a notebook watches that cell's answer grow, not the cells below it:
// - "pinned" means the widget's bottom is in view (at or above the viewport's bottom, within
//   PIN_SLACK) or the scroller is at its own bottom. For the last cell this is the rule of
//   rendering.md §2 (the notebook's bottom is the widget's bottom plus the empty cell).
// - While pinned, a widget whose bottom grows below the viewport scrolls it back to the
//   viewport's bottom; a widget that ends above the viewport's bottom scrolls nothing (the
//   cells below it move down, the text being read does not move).
// - Wheel up, or a user's scroll that ends with the widget's bottom out of view, unpins; a
//   scroll that brings the bottom back into view pins again (the bottom as the reader saw it:
//   text that came in before the scroll's event is below it). A click on a panel's summary
//   inside the widget unpins: the panel opened stays where the reader clicked it.

/** Distance (px) under which the widget's bottom counts as in view. */
export const PIN_SLACK = 8;

/**
 * The element that scrolls `el` vertically: the nearest ancestor whose overflow-y lets it
 * scroll and that has something to scroll, else the outermost such ancestor (a notebook not
 * yet taller than its panel), else the page's scrolling element. Shadow roots are crossed.
 * An output area with `overflow: auto` computes overflow-y `auto` too but never scrolls
 * vertically (its height is its content's): hence "has something to scroll" first.
 * @param {HTMLElement} el
 * @returns {HTMLElement}
 */
export function scrollParent(el) {
  const doc = el.ownerDocument;
  const view = doc.defaultView;
  /** @type {HTMLElement | null} */
  let outermost = null;
  for (let p = parentOf(el); p && p !== doc.body && p !== doc.documentElement; p = parentOf(p)) {
    const oy = view ? view.getComputedStyle(p).overflowY : "";
    if (oy === "auto" || oy === "scroll" || oy === "overlay") {
      if (p.scrollHeight > p.clientHeight + 1) return p;
      outermost = p;
    }
  }
  return outermost ?? /** @type {HTMLElement} */ (doc.scrollingElement ?? doc.documentElement);
}

/**
 * The element above `el`, out of a shadow root (marimo draws widgets in one) to its host.
 * @param {HTMLElement} el
 * @returns {HTMLElement | null}
 */
function parentOf(el) {
  const up = el.parentNode;
  return up instanceof ShadowRoot ? /** @type {HTMLElement} */ (up.host) : el.parentElement;
}

export class FollowBottom {
  /**
   * @param {HTMLElement} target the widget whose bottom is followed
   * @param {HTMLElement[]} content elements whose size changes as content arrives
   * @param {AbortSignal} signal removes the listeners
   * @param {{findScroller?: (el: HTMLElement) => HTMLElement}} [opts]
   */
  constructor(target, content, signal, opts = {}) {
    this.target = target;
    this.signal = signal;
    this.findScroller = opts.findScroller ?? scrollParent;
    this.pinned = true;
    /** A scroll event is due from `follow()`, not from the user. */
    this.autoScrolled = false;
    /** Where `follow()` left the scroller: a scroll event finding it elsewhere is the user's too. */
    this.autoScrollTop = 0;
    /**
     * The widget's height at the last layout the reader saw (`follow()`, each resize): what
     * came in after it lies below a scroll to the bottom they saw.
     * @type {number | null}
     */
    this.seenHeight = null;
    /** @type {HTMLElement | null} */
    this.scroller = null;
    /** @type {AbortController | null} the listeners on the current scroller */
    this.attached = null;
    // Following once the browser has laid the page out, not after each render: reading
    // geometry right after changing the DOM forced a layout per render (~75% of the widget's
    // scripting time while streaming into JupyterLab).
    /** @type {ResizeObserver | null} */
    this.resizeObserver = null;
    if (typeof ResizeObserver === "function") {
      const observer = new ResizeObserver(() => this.follow());
      for (const el of content) observer.observe(el);
      signal.addEventListener("abort", () => observer.disconnect());
      this.resizeObserver = observer;
    }
    signal.addEventListener("abort", () => this.attached?.abort());
    // A panel opened by the reader stays where they clicked it.
    target.addEventListener(
      "click",
      (e) => {
        if (/** @type {Element | null} */ (e.target)?.closest?.("summary")) this.unpin();
      },
      { signal },
    );
  }

  /**
   * The scroller, found again when the widget moved out of it (a cell moved, the output
   * re-attached elsewhere) or when it has nothing to scroll (a notebook that just grew taller
   * than its panel may have a nearer scroller now). Listeners move with it.
   * @returns {HTMLElement | null} null while the widget is not in a document
   */
  attach() {
    if (!this.target.isConnected) return null;
    const s = this.scroller;
    if (s?.contains(this.target) && s.scrollHeight > s.clientHeight) return s;
    const found = this.findScroller(this.target);
    if (found === s) return s;
    this.attached?.abort();
    this.attached = new AbortController();
    this.scroller = found;
    const doc = found.ownerDocument;
    // The page's scrolling element gets no scroll events: the window does.
    /** @type {EventTarget} */
    const events = found === doc.scrollingElement && doc.defaultView ? doc.defaultView : found;
    const listen = { signal: this.attached.signal, passive: true };
    events.addEventListener(
      "wheel",
      (e) => {
        if (/** @type {WheelEvent} */ (e).deltaY < 0) this.pinned = false;
      },
      listen,
    );
    events.addEventListener("scroll", () => this.scrolled(), listen);
    this.pinned = this.bottomGap(found) <= PIN_SLACK;
    return found;
  }

  /** A scroll event: the user's scroll decides whether the reader follows the bottom. */
  scrolled() {
    // Our own scroll to the bottom: the widget's size may be stale by now (more text came
    // in), so only a user's scroll is judged.
    const s = this.scroller;
    if (!s) return;
    if (this.autoScrolled) {
      this.autoScrolled = false;
      // One event may stand for our scroll and a user's in the same frame (a scroll into
      // view, JupyterLab's or a test's, just after a follow): theirs if the scroller moved on.
      // The page was laid out since the last render (views render in frames): a cheap read.
      if (Math.abs(s.scrollTop - this.autoScrollTop) < 1) return;
    }
    // The scroll event comes a frame after the scroll, and text may have come in meanwhile
    // (a loaded machine): a scroll to the bottom the reader saw pins however much came since.
    const height = this.target.getBoundingClientRect().height;
    const grew = this.seenHeight === null ? 0 : Math.max(0, height - this.seenHeight);
    this.pinned = this.bottomGap(s) <= PIN_SLACK + grew;
  }

  /**
   * How far (px) the widget's bottom is below the viewport's bottom; 0 when the scroller is at
   * its own bottom (nothing more can come into view by scrolling).
   * @param {HTMLElement} s
   */
  bottomGap(s) {
    if (s.scrollHeight - s.scrollTop - s.clientHeight <= PIN_SLACK) return 0;
    return this.target.getBoundingClientRect().bottom - viewportBottom(s);
  }

  /** The reader opened something and reads it: stop following until they scroll back down. */
  unpin() {
    this.pinned = false;
  }

  /** After a render: follow now where no ResizeObserver will (jsdom, old browsers). */
  rendered() {
    if (this.resizeObserver === null) this.follow();
  }

  /** Bring the widget's bottom back to the viewport's bottom while pinned (its size changed). */
  follow() {
    const s = this.attach();
    if (!s) return;
    const rect = this.target.getBoundingClientRect();
    this.seenHeight = rect.height;
    if (!this.pinned) return;
    const gap = rect.bottom - viewportBottom(s);
    const room = s.scrollHeight - s.clientHeight - s.scrollTop;
    const by = Math.min(gap, room);
    if (by < 1) return; // no scroll, so no scroll event either
    this.autoScrolled = true;
    this.autoScrollTop = s.scrollTop + by;
    s.scrollTop = this.autoScrollTop;
  }
}

/**
 * The viewport's bottom edge in client coordinates.
 * @param {HTMLElement} s
 */
function viewportBottom(s) {
  const doc = s.ownerDocument;
  if (s === doc.scrollingElement) return doc.defaultView?.innerHeight ?? s.clientHeight;
  const r = s.getBoundingClientRect();
  return r.top + s.clientTop + s.clientHeight;
}
