// Scroll and layout (issue 18): following the notebook's scroller (follow.js), folding the
// middle of a very long run (fold.js), panels opened by the reader.

import { afterEach, describe, expect, test } from "vitest";
import { StreamingMarkdown } from "../src/markdown/markdown.js";
import { FOLD_HEAD, FOLD_OVER, FOLD_TAIL, foldedRange } from "../src/panels/fold.js";
import { FollowBottom, PIN_SLACK, scrollParent } from "../src/panels/follow.js";
import { TranscriptView } from "../src/view/view.js";
import widget, { storeFor } from "../src/widget/index.js";
import { FakeModel, runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * A scroller of `clientHeight` px whose content is `height` px tall, and in it (at
 * `targetTop`) a widget `targetHeight` px tall: jsdom has no layout, so the geometry that
 * follow.js reads is computed here from these numbers.
 */
function fakeNotebook({ clientHeight = 500, targetTop = 100, targetHeight = 200, below = 300 }) {
  const geo = { clientHeight, targetTop, targetHeight, below, scrollTop: 0, holdEvents: false };
  const scroller = document.createElement("div");
  scroller.style.overflowY = "auto";
  // An output area: overflow auto (so overflow-y computes to auto) but nothing to scroll.
  const output = document.createElement("div");
  output.style.overflow = "auto";
  const target = document.createElement("div");
  output.append(target);
  scroller.append(output);
  document.body.append(scroller);
  cleanups.push(() => scroller.remove());
  const height = () => geo.targetTop + geo.targetHeight + geo.below;
  Object.defineProperties(scroller, {
    clientHeight: { get: () => geo.clientHeight },
    clientTop: { get: () => 0 },
    scrollHeight: { get: () => Math.max(height(), geo.clientHeight) },
    scrollTop: {
      get: () => geo.scrollTop,
      set: (v) => {
        geo.scrollTop = Math.max(0, Math.min(v, height() - geo.clientHeight));
        // holdEvents: the browser's one scroll event per frame comes later (userScroll's)
        if (!geo.holdEvents) scroller.dispatchEvent(new Event("scroll"));
      },
    },
  });
  Object.defineProperties(output, {
    clientHeight: { get: () => geo.targetHeight },
    scrollHeight: { get: () => geo.targetHeight },
  });
  scroller.getBoundingClientRect = () => /** @type {DOMRect} */ ({ top: 0, bottom: clientHeight });
  target.getBoundingClientRect = () =>
    /** @type {DOMRect} */ ({
      top: geo.targetTop - geo.scrollTop,
      bottom: geo.targetTop + geo.targetHeight - geo.scrollTop,
      height: geo.targetHeight,
    });
  /** where the widget's bottom is, relative to the viewport's bottom */
  const gap = () => geo.targetTop + geo.targetHeight - geo.scrollTop - geo.clientHeight;
  /** a user's scroll: the browser moves, then tells */
  const userScroll = (/** @type {number} */ top) => {
    geo.scrollTop = top;
    scroller.dispatchEvent(new Event("scroll"));
  };
  const wheelUp = () => scroller.dispatchEvent(new WheelEvent("wheel", { deltaY: -100 }));
  return { geo, scroller, output, target, gap, userScroll, wheelUp };
}

/** @param {HTMLElement} target */
function follower(target) {
  const ac = new AbortController();
  cleanups.push(() => ac.abort());
  return new FollowBottom(target, [target], ac.signal);
}

/**
 * A run that started small (in view: pinned) and has grown to `height` px, followed.
 * @param {ReturnType<typeof fakeNotebook>} nb
 * @param {number} height
 */
function grown(nb, height) {
  const grownTo = nb.geo.targetHeight;
  nb.geo.targetHeight = 50;
  const f = follower(nb.target);
  f.follow();
  nb.geo.targetHeight = height ?? grownTo;
  f.follow();
  return f;
}

describe("the scroller followed is the notebook's", () => {
  test("the nearest ancestor with something to scroll, not an overflow:auto output area", () => {
    const nb = fakeNotebook({ targetHeight: 800 });
    expect(scrollParent(nb.target)).toBe(nb.scroller);
  });

  test("a notebook shorter than its panel: the outermost scroll container", () => {
    const nb = fakeNotebook({ targetHeight: 50, below: 0 });
    expect(scrollParent(nb.target)).toBe(nb.scroller);
  });

  test("no scroll container: the page's scrolling element", () => {
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(() => el.remove());
    expect(scrollParent(el)).toBe(document.scrollingElement ?? document.documentElement);
  });
});

describe("following the widget's bottom", () => {
  test("a growing widget keeps its bottom at the viewport's bottom while pinned", () => {
    const nb = fakeNotebook({ targetHeight: 300 });
    const f = follower(nb.target);
    f.follow();
    expect(nb.geo.scrollTop).toBe(0); // its bottom (400) is in view: nothing to do
    nb.geo.targetHeight = 900; // the answer grew past the viewport
    f.follow();
    expect(nb.gap()).toBe(0);
    expect(nb.geo.scrollTop).toBe(500);
    nb.geo.targetHeight = 1000;
    f.follow();
    expect(nb.gap()).toBe(0);
  });

  test("a cell above others: the cells below move down, the view does not", () => {
    const nb = fakeNotebook({ targetHeight: 100, below: 2000 });
    const f = follower(nb.target);
    nb.geo.targetHeight = 350; // bottom at 450 of 500: still in view
    f.follow();
    expect(nb.geo.scrollTop).toBe(0);
    nb.geo.targetHeight = 600; // now below the viewport: follow it, not the notebook's end
    f.follow();
    expect(nb.gap()).toBe(0);
    expect(nb.geo.scrollTop).toBe(200);
  });

  test("wheel up unpins; growth then scrolls nothing; back at the bottom it follows again", () => {
    const nb = fakeNotebook({});
    const f = grown(nb, 900);
    expect(nb.gap()).toBe(0);
    nb.wheelUp();
    nb.userScroll(300);
    nb.geo.targetHeight = 1200;
    f.follow();
    expect(nb.geo.scrollTop).toBe(300);
    nb.userScroll(nb.geo.targetTop + nb.geo.targetHeight - nb.geo.clientHeight - PIN_SLACK);
    expect(f.pinned).toBe(true);
    nb.geo.targetHeight = 1500;
    f.follow();
    expect(nb.gap()).toBe(0);
  });

  test("a scroll ending more than 8 px above the widget's bottom unpins", () => {
    const nb = fakeNotebook({});
    const f = grown(nb, 900);
    nb.userScroll(nb.geo.scrollTop - (PIN_SLACK + 1));
    expect(f.pinned).toBe(false);
    nb.geo.targetHeight = 1000;
    f.follow();
    expect(nb.gap()).toBe(100 + PIN_SLACK + 1);
  });

  test("a scroll to the bottom the reader saw pins, though text came in before its event", () => {
    // A loaded machine: the scroll event comes a frame after the scroll, and the answer grew
    // meanwhile (seen in JupyterLab beside 8 busy loops: the view never followed again).
    const nb = fakeNotebook({});
    const f = grown(nb, 900);
    f.unpin();
    nb.geo.targetHeight = 1200;
    f.follow(); // the reader sees 1,200 px (unpinned: nothing scrolls)
    const seenBottom = nb.geo.targetTop + 1200 - nb.geo.clientHeight;
    nb.geo.targetHeight = 1260; // came in between the reader's scroll and its event
    nb.userScroll(seenBottom - PIN_SLACK);
    expect(f.pinned).toBe(true);
    nb.geo.targetHeight = 1300;
    f.follow();
    expect(nb.gap()).toBe(0);
    // A scroll up past the slack still unpins, however much came in before its event.
    nb.geo.targetHeight = 1400;
    nb.userScroll(nb.geo.scrollTop - (PIN_SLACK + 1));
    expect(f.pinned).toBe(false);
  });

  test("our own scroll is not read as the user's", () => {
    const nb = fakeNotebook({});
    const f = grown(nb, 900); // dispatches a scroll event: skipped, pinned stays
    expect(f.pinned).toBe(true);
    expect(f.autoScrolled).toBe(false);
  });

  test("a user's scroll in the same frame as ours, told by one scroll event, is read", () => {
    // A scroll into view (JupyterLab's, a test's) just after a follow: the one event skipped
    // as ours left the view pinned, and the next growth scrolled the reader's target away.
    const nb = fakeNotebook({});
    const f = grown(nb, 900);
    nb.geo.holdEvents = true;
    nb.geo.targetHeight = 1000;
    f.follow(); // ours, its event not yet dispatched
    expect(nb.gap()).toBe(0);
    nb.userScroll(nb.geo.scrollTop - 200); // the same frame: one event for both
    expect(f.pinned).toBe(false);
    nb.geo.targetHeight = 1100;
    const top = nb.geo.scrollTop;
    f.follow();
    expect(nb.geo.scrollTop).toBe(top);
  });

  test("unpin() (a panel opened) stops following until the reader scrolls down", () => {
    const nb = fakeNotebook({});
    const f = grown(nb, 900);
    const top = nb.geo.scrollTop;
    f.unpin();
    nb.geo.targetHeight = 1100; // the panel opened below its summary
    f.follow();
    expect(nb.geo.scrollTop).toBe(top);
  });

  test("a widget moved to another scroller follows that one", () => {
    const a = fakeNotebook({});
    const b = fakeNotebook({ targetHeight: 10, below: 0 });
    const f = grown(a, 900);
    expect(f.scroller).toBe(a.scroller);
    b.output.append(a.target);
    f.follow();
    expect(f.scroller).toBe(b.scroller);
    a.userScroll(0); // the old scroller's events no longer count
    expect(f.pinned).toBe(true);
  });
});

describe("a very long run folds its middle", () => {
  test("the range folded", () => {
    expect(foldedRange(FOLD_OVER, false)).toBeNull();
    expect(foldedRange(FOLD_OVER + 1, false)).toEqual([FOLD_HEAD, FOLD_OVER + 1 - FOLD_TAIL]);
    expect(foldedRange(500, true)).toBeNull();
  });

  /** A view of a run with `n` text blocks, rendered frame by frame by hand. */
  function longRun(/** @type {number} */ n) {
    const w = mountView(cleanups);
    const blocks = Array.from({ length: n }, (_, i) => ({
      type: "text",
      id: `m${i}`,
      text: `Answer ${i}.`,
    }));
    w.snapshot(runningState(blocks));
    const shown = () =>
      [...w.el.querySelectorAll(".nba-blocks > .nba-text")]
        .filter((b) => !b.classList.contains("nba-folded"))
        .map((b) => b.textContent?.trim());
    return { model: w.model, el: w.el, view: w.view, mk: w.mk, frame: () => w.frame(), shown };
  }

  test("first and last blocks shown, a button between them; one click shows all", () => {
    const run = longRun(60);
    const shown = run.shown();
    expect(shown).toHaveLength(FOLD_HEAD + FOLD_TAIL);
    expect(shown[0]).toBe("Answer 0.");
    expect(shown[shown.length - 1]).toBe("Answer 59.");
    const button = /** @type {HTMLButtonElement} */ (run.el.querySelector(".nba-fold"));
    expect(button.textContent).toBe(`Show ${60 - FOLD_HEAD - FOLD_TAIL} more blocks`);
    expect(button.previousElementSibling?.classList.contains("nba-folded")).toBe(true);
    expect(button.nextElementSibling?.textContent?.trim()).toBe(`Answer ${60 - FOLD_TAIL}.`);
    button.click();
    run.frame();
    expect(run.shown()).toHaveLength(60);
    expect(run.el.querySelector(".nba-fold")).toBeNull();
    // A view re-created (the notebook re-rendered the output) keeps the choice.
    run.view.destroy();
    run.mk();
    run.frame();
    expect(run.shown()).toHaveLength(60);
  });

  test("new blocks stream in below the fold; the block streaming stays shown", () => {
    const run = longRun(FOLD_OVER);
    expect(run.el.querySelector(".nba-fold")).toBeNull();
    run.model.msg({
      type: "ops",
      seq: 2,
      now: Date.now() / 1000,
      ops: [{ op: "add", block: { type: "text", id: "live", text: "Stream" } }],
    });
    run.frame();
    run.model.msg({
      type: "ops",
      seq: 3,
      now: Date.now() / 1000,
      ops: [{ op: "append", i: FOLD_OVER, key: "text", text: "ing…" }],
    });
    run.frame();
    const shown = run.shown();
    expect(shown[shown.length - 1]).toBe("Streaming…");
    expect(run.el.querySelector(".nba-fold")?.textContent).toBe(
      `Show ${FOLD_OVER + 1 - FOLD_HEAD - FOLD_TAIL} more blocks`,
    );
  });
});

describe("a panel opened by the reader", () => {
  test("a click on a summary unpins the view's follower", () => {
    const model = new FakeModel();
    const el = document.createElement("div");
    document.body.append(el);
    const stopInit = /** @type {() => void} */ (
      widget.initialize({ model: /** @type {any} */ (model) })
    );
    const view = new TranscriptView(
      storeFor(/** @type {any} */ (model)),
      /** @type {any} */ (model),
      el,
    );
    cleanups.push(
      () => view.destroy(),
      stopInit,
      () => el.remove(),
    );
    const tool = {
      type: "tool",
      id: "c1",
      name: "f",
      state: "done",
      args_text: "{}",
      result: "ok",
    };
    model.msg({ type: "snapshot", seq: 1, now: Date.now() / 1000, state: runningState([tool]) });
    view.flush();
    const follower = /** @type {FollowBottom} */ (view.follower);
    expect(follower.pinned).toBe(true);
    /** @type {HTMLElement} */ (el.querySelector(".nba-tool summary")).click();
    expect(follower.pinned).toBe(false);
  });
});

describe("a table streamed character by character", () => {
  test("never shows a half-streamed row as raw text (issue 17's healing)", () => {
    const src =
      "Here is the weather.\n\n| city | country | wind |\n|---|---|---|\n" +
      "| Paris | France | 12 km/h west |\n| Reykjavík | Iceland | 41 km/h north |\n\nDone.\n";
    const md = new StreamingMarkdown();
    /** @type {string[]} */
    const raw = [];
    for (let i = 0; i < src.length; i++) {
      md.append(src[i]);
      md.flush();
      // Table syntax outside a table: a row (or its start) rendered as a paragraph.
      for (const el of md.el.querySelectorAll("p, li"))
        if ((el.textContent ?? "").includes("|")) raw.push(`${i}: ${el.textContent}`);
    }
    expect(raw).toEqual([]);
    expect(md.el.querySelectorAll("tbody tr")).toHaveLength(2);
  });
});
