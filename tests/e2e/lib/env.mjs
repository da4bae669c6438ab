// Paths handed over by CTest (tests/e2e/CMakeLists.txt).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const rundir = process.env.SEEDANCE_RUNDIR;
export const artifacts = process.env.SEEDANCE_ARTIFACTS || path.join(os.tmpdir(), 'obs-seedance-artifacts');
export const sourceDir = process.env.SEEDANCE_SOURCE_DIR;
export const qtMajor = process.env.SEEDANCE_QT_MAJOR;

if (!rundir || !fs.existsSync(rundir)) {
  throw new Error(`SEEDANCE_RUNDIR (${rundir}) is not a built plugin folder; run through ctest`);
}

// A scratch folder removed when the test process exits.
export function scratch(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `seedance-${prefix}-`));
  process.on('exit', () => {
    if (!process.env.SEEDANCE_KEEP_SCRATCH) fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

// Every test file's teardown: OBS stopped (Ctrl+Q, then a kill) with its log saved as <label>-obs.log, then the
// emulator and the X server.
export async function stopAll({ obs, emu, xvfb }, label) {
  if (obs) {
    await obs.stop();
    obs.saveArtifacts(artifacts, label);
  }
  await emu?.stop();
  await xvfb?.stop();
}
