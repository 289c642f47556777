// Patch the live block's DOM in place (only what changed), from sanitized output.

/**
 * Make `el`'s children equal to `frag`'s (both sanitized output), keeping every node that is
 * already equal: the live block changes at its end, so the nodes before stay, and with them
 * their style, layout and paint. Only nodes of `frag` are ever inserted.
 * @param {Element} el
 * @param {DocumentFragment | Element} frag
 * @param {ChildNode | null} [cur] the first of `el`'s children to patch (those before stay)
 */
export function morph(el, frag, cur = el.firstChild) {
  for (const n of [...frag.childNodes]) {
    if (cur === null) {
      el.append(n);
      continue;
    }
    /** @type {ChildNode | null} */
    const next = cur.nextSibling;
    if (cur.isEqualNode(n)) {
      // already there
    } else if (cur.nodeType === Node.TEXT_NODE && n.nodeType === Node.TEXT_NODE) {
      /** @type {Text} */ (cur).data = /** @type {Text} */ (n).data;
    } else if (cur instanceof Element && n instanceof Element && sameShell(cur, n)) {
      morph(cur, n);
    } else {
      cur.replaceWith(n);
    }
    cur = next;
  }
  while (cur !== null) {
    /** @type {ChildNode | null} */
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
}

/** Same tag and attributes: only the children may differ. @param {Element} a @param {Element} b */
function sameShell(a, b) {
  if (a.tagName !== b.tagName || a.attributes.length !== b.attributes.length) return false;
  for (const attr of a.attributes) if (b.getAttribute(attr.name) !== attr.value) return false;
  return true;
}
