// The output chunk (nbagent/static/output.js): a finished run's output handed to the frontend
// that saves it, loaded with the first run that ends (js/src/base/output.js).

import { OutputOffer, OutputParts } from "../store/offer.js";

export default { OutputOffer, OutputParts };
