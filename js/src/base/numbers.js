// The run's numbers, one meaning each, as nbagent/transcript/fold/numbers.py computes them (its
// docstring defines them): time to first token from the run's start; generation time = from
// each step's first token to its end (not waiting for first tokens, not tools' time);
// output tokens = reported, else one per content delta (marked estimated); tokens/s = output
// tokens over generation time, null (not shown) when that means nothing; elapsed = from the
// start to the end or now, less the time paused (paused_s, and since paused_since).

/** @typedef {import("../store/store.js").State} State */
/** @typedef {{value: number, estimated: boolean}} Rate */

/** Below this many output tokens a rate is one or two deltas' timing: noise. */
export const MIN_RATE_TOKENS = 20;
/** Seconds of generation below which a rate is noise (instant replays, cached answers). */
export const MIN_RATE_WINDOW = 0.25;
/**
 * `v` when it is a finite number, else null: a state's fields as read.
 * @param {unknown} v
 * @returns {number | null}
 */
export const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The run's clock: its end, or while it runs, now (stopped where it paused). @param {State} s @param {number} now */
function endOf(s, now) {
  const ended = num(s.ended_at);
  const paused = num(s.paused_since);
  if (s.status !== "running" && ended !== null) return ended;
  return paused === null ? now : Math.min(now, paused);
}

/** @param {State} s @returns {number | null} */
export function ttft(s) {
  const start = num(s.started_at);
  const first = num(s.first_token_at);
  return start === null || first === null ? null : Math.max(0, first - start);
}

/** @param {State} s @param {number} now @returns {number | null} */
export function elapsed(s, now) {
  const start = num(s.started_at);
  return start === null ? null : Math.max(0, endOf(s, now) - start - (num(s.paused_s) ?? 0));
}

/** @param {State} s @param {number} now */
export function generationS(s, now) {
  const first = num(s.first_token_at);
  if (first === null) return 0;
  // A state saved before generation time was kept.
  if (s.generating_s === undefined) return Math.max(0, endOf(s, now) - first);
  const closed = num(s.generating_s) ?? 0;
  const since = num(s.generating_since);
  return since === null ? closed : closed + Math.max(0, endOf(s, now) - since);
}

/**
 * The run's output tokens: reported where a step reported them, one per content delta (text,
 * thinking, tool arguments: about one per token on the wire) for the rest; null: no output
 * (or, for messages that came whole, none reported).
 * @param {State} s
 * @returns {Rate | null}
 */
export function outputTokens(s) {
  let known = 0;
  let covered = 0;
  let measured = false;
  for (const step of Array.isArray(s.steps) ? s.steps : []) {
    const st = /** @type {{usage?: {output_tokens?: unknown} | null, output_deltas?: unknown}} */ (
      step ?? {}
    );
    const tokens = num(st.usage?.output_tokens);
    const stepDeltas = num(st.output_deltas);
    if (tokens !== null && stepDeltas !== null) {
      known += tokens;
      covered += stepDeltas;
      measured = true;
    }
  }
  const total = num(s.usage?.output_tokens);
  // A whole message is one delta however long: it counts no tokens of its own.
  const deltas = s.whole ? 0 : (num(s.deltas) ?? 0);
  const rest = Math.max(0, deltas - covered);
  if (!measured || rest === 0) {
    if (total !== null) return { value: total, estimated: false };
    if (!measured) return deltas ? { value: deltas, estimated: true } : null;
  }
  return { value: known + rest, estimated: rest > 0 };
}

/**
 * Output tokens per second of generation; null when it means nothing.
 * @param {State} s
 * @param {number} now kernel epoch seconds
 * @returns {Rate | null}
 */
export function tokensPerS(s, now) {
  if (s.whole || num(s.first_token_at) === null) return null;
  const tokens = outputTokens(s);
  const gen = generationS(s, now);
  if (tokens === null || tokens.value < MIN_RATE_TOKENS || gen < MIN_RATE_WINDOW) return null;
  return { value: tokens.value / gen, estimated: tokens.estimated };
}
