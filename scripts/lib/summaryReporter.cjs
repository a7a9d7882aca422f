// Mocha reporter: the usual spec output, plus the run's counts written as JSON to the file named
// by LABBOOK_RESULTS_FILE, which scripts/test.mjs adds up across tiers. A test mocha runs again
// (the e2e tier's --retries) is printed with its first failure and listed as retried.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tests = [];
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_TEST_RETRY, EVENT_RUN_END } = Mocha.Runner.constants;
    const retried = [];
    runner.on(EVENT_TEST_PASS, (test) => tests.push({ title: test.fullTitle(), state: 'passed' }));
    runner.on(EVENT_TEST_PENDING, (test) => tests.push({ title: test.fullTitle(), state: 'skipped' }));
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      tests.push({ title: test.fullTitle(), state: 'failed', error: String((err && err.stack) || err) });
    });
    runner.on(EVENT_TEST_RETRY, (test, err) => {
      const first = String((err && err.message) || err).split('\n')[0];
      retried.push({ title: test.fullTitle(), error: first });
      console.log(`      ↻ retrying "${test.title}" after: ${first}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.LABBOOK_RESULTS_FILE;
      if (!file) return;
      const { passes, failures: failed, pending } = runner.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: passes, failed, skipped: pending, tests, retried }));
    });
  }
}

module.exports = SummaryReporter;
