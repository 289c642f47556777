// The output chunk (nbagent/static/output.js): a finished run's output handed to the frontend
// that saves it, loaded with the first run that ends (js/src/output.js).

import { OutputOffer, OutputParts } from "./offer.js";

export default { OutputOffer, OutputParts };
