// What both spec test files do with a spec's examples: cut them into parts, a test each, so
// that each test's budget holds on a loaded machine (make test-under-load, 8 busy loops).

/**
 * A spec's examples in parts of at most `size` examples of one section (Infinity: whole
 * sections), each named by its section (and "(i/n)" when a section takes several).
 * @template {{section: string}} T
 * @param {T[]} examples
 * @param {number} size
 * @returns {[string, T[]][]} each part's name and examples
 */
export function parts(examples, size) {
  /** @type {Map<string, T[]>} */
  const sections = new Map();
  for (const ex of examples) {
    const section = sections.get(ex.section) ?? [];
    section.push(ex);
    sections.set(ex.section, section);
  }
  /** @type {[string, T[]][]} */
  const out = [];
  for (const [section, all] of sections) {
    const count = Number.isFinite(size) ? Math.ceil(all.length / size) : 1;
    for (let i = 0; i < count; i++)
      out.push([
        count > 1 ? `${section} (${i + 1}/${count})` : section,
        all.slice(i * size, (i + 1) * size),
      ]);
  }
  return out;
}
