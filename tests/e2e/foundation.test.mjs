// Foundation: real OBS 29 loads the plugin, shows the Seedance dock, and exits cleanly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, qtMajor, rundir, scratch } from './lib/env.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { sleep } from './lib/processes.mjs';

const xvfb = new Xvfb();
let obs;

before(async () => {
  const display = await xvfb.start();
  obs = new ObsStudio({ home: scratch('foundation'), rundir, display });
});

after(async () => {
  if (obs) await obs.stop();
  await xvfb.stop();
});

test('OBS loads the module, shows the dock and exits cleanly', { timeout: 120000 }, async () => {
  await obs.start();
  const { obsVersion } = await obs.ws.call('GetVersion');
  assert.match(obsVersion, /^29\./);

  // The dock is registered on FINISHED_LOADING and starts hidden on a fresh configuration: show it the way a
  // user does, from the Docks menu.
  await obs.toggleNewestDock();
  await sleep(1000);
  const shot = await obs.screenshot(path.join(artifacts, 'e2e-foundation-dock.png'));
  assert.ok(fs.statSync(shot).size > 10000, 'screenshot written');

  const { clean, ms } = await obs.stop();
  obs.saveArtifacts(artifacts, 'e2e-foundation');
  const log = obs.logText();

  assert.match(log, new RegExp(`\\[obs-seedance\\] loaded \\(version \\d+\\.\\d+\\.\\d+, Qt ${qtMajor}\\)`));
  assert.ok(log.includes('[obs-seedance] dock visible'), 'the dock was shown');
  assert.doesNotMatch(log, /Skipping module/);
  assert.doesNotMatch(log, /QWidget: Must construct a QApplication/);
  assert.ok(clean, `OBS exited cleanly (took ${ms} ms)`);
  assert.match(log, /Number of memory leaks: 0/);
});
