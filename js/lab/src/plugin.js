// The application nbagent's renderer runs in, kept for the one host whose outputs are not in
// an output area: Voilà renders each output on its own (no ancestor has the rendermime that
// knows the widget view), and its app holds the widget manager (`app.widgetManager`), whose
// rendermime does. In JupyterLab and Notebook 7 this plugin keeps the app and nothing uses it.

/** @type {{app: unknown}} */
export const host = { app: null };

/**
 * The widget manager's rendermime when the app has one widget manager (Voilà), else null.
 * @returns {Promise<any>}
 */
export async function appRendermime() {
  const app = /** @type {any} */ (host.app);
  if (!app || !("widgetManagerPromise" in app)) return null;
  const manager = app.widgetManager ?? (await app.widgetManagerPromise?.promise);
  return manager?.rendermime ?? null;
}

const plugin = {
  id: "nbagent:host",
  description: "Keeps the application for nbagent's renderer (Voilà's widget manager).",
  autoStart: true,
  /** @param {unknown} app */
  activate: (app) => {
    host.app = app;
  },
};

export default plugin;
