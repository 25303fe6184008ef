/**
 * Jest's order, with the end-to-end file first: it is by far the longest (minutes of deploys against the
 * emulator), so it must start at once on a worker while the other worker runs everything else. Jest's own order
 * puts it first only when its timing cache says so, which a clean clone (CI) does not have.
 */
const Sequencer = require("@jest/test-sequencer").default;

const FIRST = /[/\\]e2e-local\.test\.ts$/;

class EndToEndFirst extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => FIRST.test(t.path)), ...sorted.filter((t) => !FIRST.test(t.path))];
  }
}

module.exports = EndToEndFirst;
