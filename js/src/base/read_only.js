// A model with no kernel behind it, for a view drawn from saved data (a saved transcript, an
// evaluation's saved table, a case's saved run): its traits, and nothing it sends goes anywhere.

/**
 * @template {object} M
 * @param {Record<string, unknown>} traits
 * @param {M} [more] what else the model has (its widget manager, how a saved run is drawn)
 * @returns {{get(key: string): any, send(msg: object): void, on(): void, off(): void} & M}
 */
export function readOnlyModel(traits, more = /** @type {M} */ ({})) {
  const none = () => {};
  return { get: (key) => traits[key], send: none, on: none, off: none, ...more };
}
