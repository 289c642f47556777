// Following the bottom of a scroller while text streams in, until the user scrolls up
// (rendering.md §2, "Auto-scroll"); back at the bottom, it follows again.

/** Distance from the bottom (px) under which the scroller counts as "at the bottom". */
const PIN_SLACK = 8;

export class FollowBottom {
  /**
   * @param {HTMLElement} scroller the element that scrolls
   * @param {HTMLElement[]} content elements whose size changes as content arrives
   * @param {AbortSignal} signal removes the listeners
   */
  constructor(scroller, content, signal) {
    this.scroller = scroller;
    this.pinned = true;
    /** A scroll event is due from `follow()`, not from the user. */
    this.autoScrolled = false;
    scroller.addEventListener(
      "wheel",
      (e) => {
        if (e.deltaY < 0) this.pinned = false;
      },
      { signal, passive: true },
    );
    scroller.addEventListener(
      "scroll",
      () => {
        // Our own scroll to the bottom: the layout may be stale by now (more text came in),
        // and reading it would force a layout. Only a user's scroll is read.
        if (this.autoScrolled) {
          this.autoScrolled = false;
          return;
        }
        const s = this.scroller;
        this.pinned = s.scrollHeight - s.scrollTop - s.clientHeight <= PIN_SLACK;
      },
      { signal, passive: true },
    );
    // Following the bottom once the browser has laid the page out, not after each render:
    // reading scrollHeight right after changing the DOM forced a layout per render (~75% of
    // the widget's scripting time while streaming into JupyterLab).
    /** @type {ResizeObserver | null} */
    this.resizeObserver = null;
    if (typeof ResizeObserver === "function") {
      const observer = new ResizeObserver(() => this.follow());
      for (const el of content) observer.observe(el);
      signal.addEventListener("abort", () => observer.disconnect());
      this.resizeObserver = observer;
    }
  }

  /** After a render: follow now where no ResizeObserver will (jsdom, old browsers). */
  rendered() {
    if (this.resizeObserver === null) this.follow();
  }

  /** Scroll to the bottom while pinned there (called when the content's size changed). */
  follow() {
    if (!this.pinned) return;
    const s = this.scroller;
    const bottom = s.scrollHeight - s.clientHeight;
    if (Math.abs(bottom - s.scrollTop) < 1) return; // no scroll, so no scroll event either
    this.autoScrolled = true;
    s.scrollTop = bottom;
  }
}
