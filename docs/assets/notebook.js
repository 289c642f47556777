// Tutorial pages (docs_hooks/notebooks.py): each nbagent output is its saved static HTML copy in a
// <template>; here it goes into a shadow root, styled by its own <style> alone, as nbconvert and
// GitHub show it (the theme's styles for details, tables and pre stay outside). Nothing is fetched.
for (const host of document.querySelectorAll(".nb-nbagent")) {
  const template = host.querySelector(":scope > template");
  if (!template || host.shadowRoot) continue;
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent =
    ":host{display:block;font-size:.75rem;line-height:1.5}" +
    "pre,code{font-family:var(--md-code-font-family,monospace)}" +
    "a{color:var(--md-typeset-a-color)}";
  root.append(style, template.content.cloneNode(true));
}
