// The page side of benchmarks/markdown_stream.py. `lib` is a bundle of js/src/markdown/markdown.js
// (window.AFTER, window.BEFORE): its StreamingMarkdown and renderMarkdown, KaTeX in use.

/** Visible text without whitespace, copy buttons or TeX (the TeX of math is not syntax). */
function visible(el) {
  const c = el.cloneNode(true);
  for (const n of c.querySelectorAll("button, .nb-math, .nb-mathml, .nb-math-error, math"))
    n.remove();
  return c.textContent.replace(/[\s\u200b]+/g, "");
}

function rng(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** A timer task later: after the tasks a frame queued (math.js defers with timers too). */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

window.mdBench = {
  /**
   * Stream each answer one character per message (`step` 1) or in 2–6-character chunks
   * (`step` 0), one flush per message; a frame shows raw syntax when its visible text is not a
   * prefix of the final render's visible text. Per answer: frames, raw frames, longest run.
   */
  rawShare(name, answers, step) {
    const lib = window[name];
    const host = document.getElementById("host");
    let frames = 0;
    let raw = 0;
    const samples = [];
    const per = answers.map((src, a) => {
      const final = visible(lib.renderMarkdown(src));
      const r = rng(a * 7919 + 17);
      const s = new lib.StreamingMarkdown();
      host.replaceChildren(s.el);
      const row = { frames: 0, raw: 0, run: 0 };
      let run = 0;
      for (let i = 0; i < src.length; ) {
        const n = step || 2 + Math.floor(r() * 5);
        s.append(src.slice(i, i + n));
        i += n;
        if (i >= src.length) break;
        s.flush();
        row.frames++;
        const t = visible(s.el);
        if (!final.startsWith(t)) {
          row.raw++;
          run++;
          row.run = Math.max(row.run, run);
          if (samples.length < 2000)
            samples.push([a, src.slice(Math.max(0, i - 30), i), t.slice(-30)]);
        } else run = 0;
      }
      s.setFinal(true);
      s.flush();
      frames += row.frames;
      raw += row.raw;
      return row;
    });
    return { frames, raw, answers: per, samples };
  },

  /**
   * Per-frame time (ms) of streaming `src` in `chunk`-character appends: the flush, the
   * typesetting and the style and layout it causes, then every task the frame left queued
   * (formulas typeset later) counted as a frame of its own. `naive` renders the whole text
   * so far every frame.
   */
  async frameTimes(name, src, chunk, naive) {
    const lib = window[name];
    const host = document.getElementById("host");
    const s = new lib.StreamingMarkdown();
    host.replaceChildren(s.el);
    const frames = [];
    const later = [];
    // What waiting for a timer costs with nothing queued (nested timers are clamped to 4 ms).
    let idle = Infinity;
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      await nextTask();
      if (i >= 6) idle = Math.min(idle, performance.now() - t);
    }
    for (let prev = 0; prev < src.length; ) {
      const end = Math.min(prev + chunk, src.length);
      const t0 = performance.now();
      if (naive) host.replaceChildren(lib.renderMarkdown(src.slice(0, end)));
      else {
        s.append(src.slice(prev, end));
        if (end === src.length) s.setFinal(true);
        s.flush();
      }
      void host.offsetHeight; // style and layout now, inside the measured frame
      const t1 = performance.now();
      frames.push(t1 - t0);
      // Tasks queued by the frame (deferred typesetting) run before this one: their time is
      // a frame of its own (what an idle wait costs taken off).
      await nextTask();
      void host.offsetHeight;
      later.push(Math.max(0, performance.now() - t1 - idle));
      prev = end;
    }
    return { frames, later };
  },
};
