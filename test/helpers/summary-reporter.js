// Prints one plain closing line, `tests: N passed, N failed[, N skipped]`, when the run ends
// (on stdout; jest prints its own summary on stderr), so CI logs state the outcome in a form any tool can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
  }
}
module.exports = SummaryReporter;
