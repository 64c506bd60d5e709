/**
 * Every test that reads the reference app, in one jest file so that they share one build
 * and one synth of it (test/helpers/reference.ts): jest gives each test file its own
 * module registry, so tests in separate files would each build the app again. The tests
 * themselves are in test/reference-app/*.cases.ts, one file per subject.
 */
import './reference-app/app.cases';
import './reference-app/state.cases';
import './reference-app/report.cases';
import './reference-app/dashboards.cases';
import './reference-app/deploy.cases';
import './reference-app/user-data.cases';
import './reference-app/trust.cases';
