// When a view renders: at the next animation frame, or (the first change after a quiet
// spell) in a task of its own right away; the page's clock and visibility. What views use by
// default: tests pass their own.

/**
 * A function that runs `cb` in a task of its own, as soon as possible (a MessageChannel
 * message: no timer clamping), the callbacks due at once in one task. Not inside the caller's
 * task: a failing render stays the render's problem, and it is not hidden in a promise
 * callback (which CDP's ScriptDuration does not count).
 * @returns {(cb: () => void) => void}
 */
export function soonScheduler() {
  /** @type {(() => void)[]} */
  let queue = [];
  /** @type {MessagePort | null} */
  let port = null;
  return (cb) => {
    if (typeof MessageChannel !== "function") {
      setTimeout(cb, 0);
      return;
    }
    if (port === null) {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const due = queue;
        queue = [];
        for (const fn of due) {
          try {
            fn();
          } catch (err) {
            // Reported like an error in a frame callback, without stopping the other views.
            setTimeout(() => {
              throw err;
            });
          }
        }
      };
      /** @type {any} */ (channel.port1).unref?.(); // Node (tests): do not keep the process alive
      port = channel.port2;
    }
    queue.push(cb);
    if (queue.length === 1) port.postMessage(null);
  };
}

/** The views' own: one channel for all of a page's views. */
export const defaultSoon = soonScheduler();

export const defaultNow = () => performance.now();
/** Rendering at once is for visible pages: a hidden one gets no frames, and renders later. */
export const defaultVisible = () =>
  typeof document === "undefined" || document.visibilityState !== "hidden";

/** @param {FrameRequestCallback} cb */
export const defaultRaf = (cb) =>
  typeof requestAnimationFrame === "function"
    ? requestAnimationFrame(cb)
    : setTimeout(() => cb(0), 16);
/** @param {number} id */
export const defaultCancel = (id) =>
  typeof cancelAnimationFrame === "function" ? cancelAnimationFrame(id) : clearTimeout(id);
