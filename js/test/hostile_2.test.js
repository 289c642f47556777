// Issue 37: no text freezes the page. Every family of repeated openers in the hostile corpus
// (tests/fixtures/hostile_repeat.json), at each size, is rendered whole and streamed (by
// characters and by 50-character messages), alone and after a table header, in a worker with
// a watchdog: a render that does not finish fails with the step it was in. Nothing here
// asserts a duration (benchmarks/hostile.py reports them). Half the families here, half in
// hostile_1.test.js: vitest runs the two files at once.
import { testFamilies } from "./hostile.js";

testFamilies(1, 2);
