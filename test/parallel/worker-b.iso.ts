// Runs in parallel with the other *.iso.ts files (see test/isolation.test.ts).
import { isolationSuite } from "./isolation-suite.js";

isolationSuite("b");
