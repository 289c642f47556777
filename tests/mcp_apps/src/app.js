// The test server's app (tests/mcp_servers/apps.py, `chart`): ext-apps' own App, so the
// handshake with the host is the real one. It shows in its DOM what the host sent it (the
// tool's input, as it streams and whole, its result, the host context's theme and width, as
// they change), logs that it connected (`sendLog`), and has a button that calls the server's
// `bump` tool through the host (`callServerTool`), showing the answer or the error, and one
// that asks the host to download a CSV file (`downloadFile`), showing whether it was saved.

import { App } from "@modelcontextprotocol/ext-apps";

/** @param {string} id @param {unknown} value */
function show(id, value) {
  const el = document.getElementById(id);
  if (el) el.textContent = typeof value === "string" ? value : JSON.stringify(value);
}

const app = new App({ name: "nbagent-test-chart", version: "1.0.0" });

app.ontoolinput = (params) => show("input", params.arguments ?? {});
app.ontoolinputpartial = (params) => show("partial", params.arguments ?? {});
app.ontoolresult = (result) => {
  const text = (result.content ?? []).map((c) => (c.type === "text" ? c.text : c.type));
  show("result", text.join("\n"));
  if (result.structuredContent) show("structured", result.structuredContent);
};
/** @param {{width?: number} | undefined} dims the host context's containerDimensions */
const width = (dims) => dims && "width" in dims && show("width", String(dims.width));

app.onhostcontextchanged = (context) => {
  if (context.theme) show("theme", context.theme);
  width(context.containerDimensions);
};

document.getElementById("bump")?.addEventListener("click", async () => {
  show("bumped", "calling");
  try {
    const result = await app.callServerTool({ name: "bump", arguments: { by: 1 } });
    show("bumped", result);
  } catch (err) {
    show("bumped", `error: ${err instanceof Error ? err.message : String(err)}`);
  }
});

document.getElementById("download")?.addEventListener("click", async () => {
  show("downloaded", "asking");
  try {
    const resource = { uri: "file:///chart.csv", mimeType: "text/csv", text: "x,y\n1,2\n" };
    const { isError } = await app.downloadFile({ contents: [{ type: "resource", resource }] });
    show("downloaded", isError ? "dismissed" : "saved");
  } catch (err) {
    show("downloaded", `error: ${err instanceof Error ? err.message : String(err)}`);
  }
});

app.connect().then(
  () => {
    show("state", "connected");
    app.sendLog({ level: "info", logger: "chart", data: "connected" });
    const context = app.getHostContext();
    if (context?.theme) show("theme", context.theme);
    width(context?.containerDimensions);
  },
  (err) => show("state", `failed: ${err instanceof Error ? err.message : String(err)}`),
);
