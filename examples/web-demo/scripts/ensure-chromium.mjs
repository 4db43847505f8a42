// pretest: the browser end-to-end test needs Debian's Chromium (playwright's own browser download
// cannot work offline). Finds it, installs it with apt-get when this user is root, and otherwise stops
// at once with the one command to run. It never skips the test.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const fail = (why) => {
  process.stderr.write(`\n[web-demo] ${why}\n[web-demo] The browser test needs Chromium. Install it with:\n\n    sudo apt-get update && sudo apt-get install -y chromium\n\n[web-demo] or point CHROMIUM_PATH at a Chromium/Chrome binary, then run npm test again.\n\n`);
  process.exit(1);
};

if (existsSync(wanted)) process.exit(0);
if (process.env.CHROMIUM_PATH) fail(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist.`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) fail(`${wanted} not found${isRoot ? ' and apt-get is not available' : ' (not root: not installing it myself)'}.`);

process.stderr.write(`[web-demo] ${wanted} not found: installing Debian's chromium with apt-get (once per machine)\n`);
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch (e) {
  fail(`apt-get could not install chromium (${e instanceof Error ? e.message.split('\n')[0] : e}).`);
}
if (!existsSync(wanted)) fail(`apt-get finished but ${wanted} is still missing.`);
process.stderr.write(`[web-demo] chromium installed at ${wanted}\n`);
