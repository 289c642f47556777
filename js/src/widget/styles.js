// The widget's stylesheet, one file per what it styles, in cascade order: a later file's rule
// wins over an earlier one's of the same specificity, so the order here is the order of the
// rules in the bundle's widget.css. Imported by the widget bundle (index.js) and the lab
// extension (js/lab/src/renderer.js).

import "./styles/base.css";
import "./styles/markdown.css";
import "./styles/panels.css";
import "./styles/status.css";
import "./styles/lanes.css";
import "./styles/data.css";
import "./styles/media.css";
import "./styles/layout.css";
import "./styles/edit.css";
import "./styles/timeline.css";
import "./styles/acp.css";
