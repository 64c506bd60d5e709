// jest globalTeardown: remove the directories test apps synthesized in (test/helpers/app.ts,
// one per process, named by its pid) that a worker killed at the end of the run could not
// remove itself. Only those of processes that have ended: another run may be going on.
const fs = require('fs');
const os = require('os');
const path = require('path');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

module.exports = async () => {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const m = /^cdk-resilience-test-(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
};
