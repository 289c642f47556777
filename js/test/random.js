// Seeded randomness for the tests: the same texts on every run, so a failure repeats.

/**
 * A deterministic generator (LCG) of numbers in [0, 1).
 * @param {number} seed
 */
export function rng(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/**
 * A text of 1 to 10 of `pieces`, drawn with `r`.
 * @param {string[]} pieces @param {() => number} r
 */
export function randomText(pieces, r) {
  let s = "";
  const n = 1 + Math.floor(r() * 10);
  for (let i = 0; i < n; i++) s += pieces[Math.floor(r() * pieces.length)];
  return s;
}
