// The trouble chunk (nbagent/static/trouble.js): a run's error and warnings, the note that the
// page cannot reach its kernel, a Stop sent again, the end the page gives a run whose kernel went;
// loaded with a widget's first running run, error or warning (js/src/base/trouble.js).

import { watchKernel } from "../base/kernel_end.js";
import { errorBox, footer, stopAgain } from "../panels/trouble.js";
import { keepPageEnd, pageEnd } from "../store/page_end.js";

export default { watchKernel, footer, errorBox, stopAgain, pageEnd, keepPageEnd };
