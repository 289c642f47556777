// Sends to the kernel that never throw into the page (the widget's models, js/src/widget/index.js):
// a send that fails because the connection is gone ends the runs in the page instead
// (kernel_end.js says the other ways the page learns that its kernel went).

/**
 * Whether an error thrown by a send proves the connection to the kernel is gone (not a
 * passing hiccup): JupyterLab's comm and kernel connection say so in these words.
 * @param {unknown} err
 */
export function connectionGone(err) {
  const message = err instanceof Error ? err.message : String(err);
  return /^(Cannot send|Kernel is dead)$/.test(message);
}

/**
 * A model whose `send` never throws into the page: a send that fails because the connection is
 * gone calls `onGone` (which ends the runs locally); any other failure is logged, as before
 * the page's own retry (a sync) or the user (Stop again) would try again.
 * @template {{send(content: any, ...rest: any[]): void}} M
 * @param {M} model
 * @param {() => void} onGone
 * @returns {M}
 */
export function guardSend(model, onGone) {
  return new Proxy(model, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key !== "send" || typeof value !== "function") return value;
      return (/** @type {any[]} */ ...args) => {
        try {
          value.apply(target, args);
        } catch (err) {
          if (connectionGone(err)) onGone();
          else console.warn("nbagent: cannot send to the kernel:", err);
        }
      };
    },
  });
}
