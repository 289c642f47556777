// The page side of benchmarks/markdown_stream.py. `lib` is a bundle of js/src/markdown.js
// (window.AFTER, window.BEFORE): its StreamingMarkdown and renderMarkdown.

/** Visible text without whitespace, copy buttons or TeX (the TeX of math is not syntax). */
function visible(el) {
  const c = el.cloneNode(true);
  for (const n of c.querySelectorAll("button, .nb-math")) n.remove();
  return c.textContent.replace(/[\s\u200b]+/g, "");
}

function rng(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

window.mdBench = {
  /**
   * Stream each answer in 2–6-character chunks; a frame shows raw syntax when its visible
   * text is not a prefix of the final render's visible text.
   */
  rawShare(name, answers) {
    const lib = window[name];
    const host = document.getElementById("host");
    let frames = 0;
    let raw = 0;
    const samples = [];
    answers.forEach((src, a) => {
      const final = visible(lib.renderMarkdown(src));
      const r = rng(a * 7919 + 17);
      const s = new lib.StreamingMarkdown();
      host.replaceChildren(s.el);
      for (let i = 0; i < src.length; ) {
        const n = 2 + Math.floor(r() * 5);
        s.append(src.slice(i, i + n));
        i += n;
        if (i >= src.length) break;
        s.flush();
        frames++;
        const t = visible(s.el);
        if (!final.startsWith(t)) {
          raw++;
          if (samples.length < 400) samples.push([a, src.slice(Math.max(0, i - 30), i), t.slice(-30)]);
        }
      }
      s.setFinal(true);
      s.flush();
    });
    return { frames, raw, samples };
  },

  /**
   * Per-frame time (ms) of streaming `src` in `chunk`-character appends: the flush and the
   * style and layout it causes. `naive` renders the whole text so far every frame.
   */
  frameTimes(name, src, chunk, naive) {
    const lib = window[name];
    const host = document.getElementById("host");
    const s = new lib.StreamingMarkdown();
    host.replaceChildren(s.el);
    const times = [];
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
      times.push(performance.now() - t0);
      prev = end;
    }
    return times;
  },
};
