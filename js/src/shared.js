// What the feature chunks (js/build.mjs CHUNKS: lanes, debug, data) use of the widget bundle's
// modules, by path under src/: a chunk is built without its own copy of these and gets the
// bundle's as it loads (js/src/chunks.js chunkFromCodeModel), so it shares the bundle's stores
// and classes. The build reads this object: a chunk importing a module or a name of the bundle
// that is not here fails to build.

import { renderDisplay } from "./display.js";
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
import { purify, renderMarkdown } from "./markdown.js";
import { num } from "./numbers.js";
import { OutputOffer, OutputParts } from "./offer.js";
import { NEEDS_CLICK } from "./replay_slot.js";
import { copyButton, pyArgs, tracebackBox } from "./rerun.js";
import { OpError, Store } from "./store.js";
import { withCopy } from "./table_copy.js";
import { hasTiming, TIMELINE_KEY } from "./timeline_slot.js";
import { TranscriptView } from "./view.js";
import { decodeOps, isObject } from "./wire.js";

export const SHARED = {
  "display.js": { renderDisplay },
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
  "markdown.js": { purify, renderMarkdown },
  "numbers.js": { num },
  "offer.js": { OutputOffer, OutputParts },
  "replay_slot.js": { NEEDS_CLICK },
  "rerun.js": { copyButton, pyArgs, tracebackBox },
  "store.js": { OpError, Store },
  "table_copy.js": { withCopy },
  "timeline_slot.js": { hasTiming, TIMELINE_KEY },
  "view.js": { TranscriptView },
  "wire.js": { decodeOps, isObject },
};
