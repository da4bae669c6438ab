// Child-process bookkeeping for the end-to-end tests: every process we start lives in its own process group and
// is killed when the test process exits, however it exits, so no Xvfb, OBS or emulator is ever left behind.
import { spawn } from 'node:child_process';

const groups = new Set();

function killGroup(pid, signal = 'SIGKILL') {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

process.on('exit', () => {
  for (const pid of groups) killGroup(pid);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const pid of groups) killGroup(pid);
    process.exit(128 + 2);
  });
}

// Spawns `command` detached in a new process group and tracks it.
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid) {
    groups.add(child.pid);
    child.once('exit', () => groups.delete(child.pid));
  }
  return child;
}

export function untrack(child) {
  groups.delete(child.pid);
}

// Resolves with {code, signal} when the child exits, or null after `ms`.
export function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

export async function killTracked(child, graceMs = 2000) {
  if (!child?.pid) return;
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child.pid, 'SIGTERM');
    if (!(await waitForExit(child, graceMs))) {
      killGroup(child.pid, 'SIGKILL');
      await waitForExit(child, 5000);
    }
  }
  // Members of the group that outlived the leader.
  killGroup(child.pid, 'SIGKILL');
  groups.delete(child.pid);
}

export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
