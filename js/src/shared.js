// What the feature chunks (js/build.mjs CHUNKS) use of the widget bundle's
// modules, by path under src/: a chunk is built without its own copy of these and gets the
// bundle's as it loads (js/src/chunks.js chunkFromCodeModel), so it shares the bundle's stores
// and classes. The build reads this object: a chunk importing a module or a name of the bundle
// that is not here fails to build.

import { acp } from "./acp.js";
import { answerChunk } from "./answer.js";
import { withChunk } from "./chunks.js";
import { debugChunk } from "./debug.js";
import { renderDisplay } from "./display.js";
import { escapeHtml } from "./escape.js";
import { FollowBottom } from "./follow.js";
import {
  actionButton,
  clicks,
  displayValue,
  editedArgs,
  fill,
  formatCost,
  formatDuration,
  formatElapsed,
  h,
  NO_NUMBER,
  oneLine,
  plural,
  setText,
  usageText,
} from "./format.js";
import { defaultRaf } from "./frames.js";
import { icon } from "./icons.js";
import { purify, renderMarkdown, StreamingMarkdown } from "./markdown.js";
import { num } from "./numbers.js";
import { outputOffer, outputPartsOf } from "./output.js";
import { NEEDS_CLICK } from "./replay_slot.js";
import { OpError, Store } from "./store.js";
import { copyText, withCopy } from "./table_copy.js";
import { hasTiming, TIMELINE_KEY } from "./timeline_slot.js";
import { toolsChunk } from "./tools.js";
import { TranscriptView } from "./view.js";
import { decodeOps, isObject } from "./wire.js";

export const SHARED = {
  "acp.js": { acp },
  "answer.js": { answerChunk },
  "chunks.js": { withChunk },
  "debug.js": { debugChunk },
  "display.js": { renderDisplay },
  "escape.js": { escapeHtml },
  "follow.js": { FollowBottom },
  "format.js": {
    actionButton,
    clicks,
    displayValue,
    editedArgs,
    fill,
    formatCost,
    formatDuration,
    formatElapsed,
    h,
    NO_NUMBER,
    oneLine,
    plural,
    setText,
    usageText,
  },
  "frames.js": { defaultRaf },
  "icons.js": { icon },
  "markdown.js": { purify, renderMarkdown, StreamingMarkdown },
  "numbers.js": { num },
  "output.js": { outputOffer, outputPartsOf },
  "replay_slot.js": { NEEDS_CLICK },
  "store.js": { OpError, Store },
  "table_copy.js": { copyText, withCopy },
  "timeline_slot.js": { hasTiming, TIMELINE_KEY },
  "tools.js": { toolsChunk },
  "view.js": { TranscriptView },
  "wire.js": { decodeOps, isObject },
};
