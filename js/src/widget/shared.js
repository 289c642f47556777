// What the chunks that bind (nbagent/widget/chunks.json) use of the widget bundle's modules, by
// path under src/: a chunk is built without its own copy of these and gets the bundle's as it
// loads (js/src/base/chunks.js chunkFromCodeModel), so it shares the bundle's stores and classes.
// The build reads this object: a chunk importing a module or a name of the bundle that is not
// here fails to build. (A module the bundle does not import is copied into each chunk instead.)
// The bundle hands its values over as an array, in this order (js/build.mjs `sharedAsArray`):
// the names are the build's, each chunk takes what it uses by its index.

import { acp } from "../base/acp.js";
import { answerChunk } from "../base/answer.js";
import { appChunk, appExtrasChunk } from "../base/app.js";
import { withChunk } from "../base/chunks.js";
import { debugChunk } from "../base/debug.js";
import { dataChunk } from "../base/display.js";
import { escapeHtml } from "../base/escape.js";
import { FOLD_OVER } from "../base/fold.js";
import {
  formatCost,
  formatDuration,
  formatElapsed,
  formatTokens,
  h,
  NO_NUMBER,
  oneLine,
  setText,
  usageText,
} from "../base/format.js";
import { defaultRaf } from "../base/frames.js";
import { num } from "../base/numbers.js";
import { outputOffer, outputPartsOf } from "../base/output.js";
import { pageIsDark } from "../base/styles.js";
import { toolsChunk } from "../base/tools.js";
import { decodeOps, isObject } from "../base/wire.js";
import { purify, renderMarkdown, StreamingMarkdown } from "../markdown/markdown.js";
import { FollowBottom } from "../panels/follow.js";
import { topSteps } from "../panels/status_words.js";
import { OpError, Store } from "../store/store.js";
import { connect } from "../store/sync.js";
import { TranscriptView } from "../view/view.js";

export const SHARED = {
  "base/acp.js": { acp },
  "base/answer.js": { answerChunk },
  "base/app.js": { appChunk, appExtrasChunk },
  "base/chunks.js": { withChunk },
  "base/debug.js": { debugChunk },
  "base/display.js": { dataChunk },
  "base/escape.js": { escapeHtml },
  "base/fold.js": { FOLD_OVER },
  "panels/follow.js": { FollowBottom },
  "panels/status_words.js": { topSteps },
  "base/format.js": {
    formatCost,
    formatDuration,
    formatElapsed,
    formatTokens,
    h,
    NO_NUMBER,
    oneLine,
    setText,
    usageText,
  },
  "base/frames.js": { defaultRaf },
  "markdown/markdown.js": { purify, renderMarkdown, StreamingMarkdown },
  "base/numbers.js": { num },
  "base/output.js": { outputOffer, outputPartsOf },
  "base/styles.js": { pageIsDark },
  "store/store.js": { OpError, Store },
  "store/sync.js": { connect },
  "base/tools.js": { toolsChunk },
  "view/view.js": { TranscriptView },
  "base/wire.js": { decodeOps, isObject },
};
