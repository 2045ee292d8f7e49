/* global module */
// Browser stand-in for @stdlib/assert-has-generator-support (aliased in next.config.js). The original tests
// for `function*` by calling eval, which the app's Content-Security-Policy (no 'unsafe-eval', proxy.ts) blocks
// and reports as a violation on every page that loads the statistics code. Every browser the app supports
// (ES2017 and up, as React 19 and Next 16 require) has native generators, so the answer is known.
module.exports = function hasGeneratorSupport() {
  return true;
};
