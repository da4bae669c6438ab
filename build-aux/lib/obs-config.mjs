// The one place that knows how each OBS version reads the settings the tests, the benchmarks and the offline demo
// start it with. What moved between versions (read in OBS's and obs-websocket's sources):
//
//   OBS 29.x–30.1  global.ini holds everything, obs-websocket included ([OBSWebSocket] FirstLoad, ServerEnabled,
//                  ServerPort, AuthRequired, ServerPassword, AlertsEnabled).
//   OBS 30.2+      obs-websocket 5.5 reads plugin_config/obs-websocket/config.json (first_load, server_enabled,
//                  server_port, auth_required, server_password, alerts_enabled; typed JSON). On every start it moves
//                  any [OBSWebSocket] key it finds in global.ini into that file and then ignores the file's own
//                  values, so the section must not be there.
//   OBS 31+        the user's settings moved to user.ini ([General] FirstRun, ConfirmOnExit, Warn*; [Basic] profile
//                  and scene collection; [BasicWindow] DockState). global.ini keeps the application's ([General]
//                  LastVersion, EnableAutoUpdates, ...). The one-time copy of global.ini to user.ini is marked done
//                  with Pre31Migrated=true, or OBS shows a modal error because user.ini already exists.
//
// FirstRun=true means "the first run has happened" (no auto-configuration wizard). first_load=false keeps
// obs-websocket from inventing a password. Keys OBS wrote itself (window and dock layout) are kept.
//
//   import { obsVersion, writeObsConfig } from './obs-config.mjs'
//   node obs-config.mjs --config-dir DIR --profile NAME [--profile-dir DIR] --port N [--width W --height H]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The installed OBS's version: { major, minor, patch, text }.
export function obsVersion(obs = 'obs') {
  const text = execFileSync(obs, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = text.match(/(\d+)\.(\d+)(?:\.(\d+))?/);
  if (!m) throw new Error(`cannot read OBS's version from "${text.trim()}"`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] || 0), text: `${m[1]}.${m[2]}.${m[3] || 0}` };
}

const atLeast = (v, major, minor = 0) => v.major > major || (v.major === major && v.minor >= minor);

// INI files as OBS writes them: [Section] then Key=Value lines. Order is kept; unknown lines are kept as they are.
function readIni(file) {
  const sections = new Map();
  if (!fs.existsSync(file)) return sections;
  let current = null;
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const header = line.match(/^\s*\[(.+)\]\s*$/);
    if (header) {
      current = header[1];
      if (!sections.has(current)) sections.set(current, new Map());
    } else if (current && line.includes('=')) {
      const i = line.indexOf('=');
      sections.get(current).set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return sections;
}

function writeIni(file, sections) {
  let text = '';
  for (const [name, keys] of sections) {
    text += `[${name}]\n`;
    for (const [k, v] of keys) text += `${k}=${v}\n`;
    text += '\n';
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function update(sections, name, values) {
  if (!sections.has(name)) sections.set(name, new Map());
  for (const [k, v] of Object.entries(values)) sections.get(name).set(k, String(v));
}

// Writes what OBS `version` needs to start without a question, on profile and scene collection `profile`, with
// obs-websocket on 127.0.0.1:`port` without authentication (or with `password`), on a `width`x`height` canvas.
// The profile's basic.ini is written the first time only (later starts keep what OBS saved, like a real user).
export function writeObsConfig({ configDir, version, profile, profileDir = profile, port, width = 1280, height = 720, password = '' }) {
  const appIni = path.join(configDir, 'global.ini');
  const userIni = path.join(configDir, 'user.ini');
  const split = atLeast(version, 31);
  const app = readIni(appIni);
  const user = split ? readIni(userIni) : app;

  update(app, 'General', { EnableAutoUpdates: 'false' });
  if (split) update(app, 'General', { Pre31Migrated: 'true' });
  update(user, 'General', {
    FirstRun: 'true',
    ConfirmOnExit: 'false',
    WarnBeforeStartingStream: 'false',
    WarnBeforeStoppingStream: 'false',
    WarnBeforeStoppingRecord: 'false',
    WarnedAboutClosingDocks: 'true',
  });
  update(user, 'Basic', { Profile: profile, ProfileDir: profileDir, SceneCollection: profile, SceneCollectionFile: profileDir });

  const websocket = {
    first_load: false,
    server_enabled: true,
    server_port: port,
    alerts_enabled: false,
    auth_required: password !== '',
    server_password: password,
  };
  if (atLeast(version, 30, 2)) {
    app.delete('OBSWebSocket');
    if (split) user.delete('OBSWebSocket');
    const file = path.join(configDir, 'plugin_config', 'obs-websocket', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(websocket, null, 2)}\n`);
  } else {
    app.delete('OBSWebSocket');
    update(app, 'OBSWebSocket', {
      FirstLoad: 'false',
      ServerEnabled: 'true',
      ServerPort: port,
      AuthRequired: websocket.auth_required,
      ...(password ? { ServerPassword: password } : {}),
      AlertsEnabled: 'false',
    });
  }
  writeIni(appIni, app);
  if (split) writeIni(userIni, user);

  const basic = path.join(configDir, 'basic', 'profiles', profileDir, 'basic.ini');
  if (!fs.existsSync(basic)) {
    fs.mkdirSync(path.dirname(basic), { recursive: true });
    fs.writeFileSync(
      basic,
      `[General]\nName=${profile}\n\n[Video]\nBaseCX=${width}\nBaseCY=${height}\nOutputCX=${width}\nOutputCY=${height}\nFPSCommon=30\n`,
    );
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const version = obsVersion(arg('--obs', 'obs'));
  writeObsConfig({
    configDir: arg('--config-dir'),
    version,
    profile: arg('--profile'),
    profileDir: arg('--profile-dir', arg('--profile')),
    port: Number(arg('--port')),
    width: Number(arg('--width', 1280)),
    height: Number(arg('--height', 720)),
  });
  console.log(`OBS ${version.text}: configuration written to ${arg('--config-dir')}`);
}
