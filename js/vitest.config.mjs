import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.js", "test/**/*.test.js"],
    // The files a worker runs share its process, modules and jsdom window: a worker and a
    // window per file cost a quarter of the suite's CPU. test/setup_chunks.js gives each file
    // its modules afresh and an empty page; a file that mocks a module (vi.mock) unmocks it
    // after its tests, and one that patches the window undoes it.
    isolate: false,
    setupFiles: ["test/setup_chunks.js"],
    // Every core (vitest leaves one to its main thread, which only waits here): on two cores
    // the halves of the hostile corpus then run at once, each rendering in a worker of its own.
    maxWorkers: availableParallelism(),
    // Not a speed check (benchmarks/ measure speed): the budget of a test that renders a
    // corpus on a loaded two-core machine, where vitest's 5 s default cut two such tests short.
    testTimeout: 60_000,
  },
});
