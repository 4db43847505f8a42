// One-off comparison of language detectors on test/alt-texts.json (README, "Measured").
// tinyld and franc are not dependencies: run it from a scratch folder, e.g.
//   mkdir /tmp/ld && cd /tmp/ld && npm init -y && npm i eld@2.1.0 tinyld@1.3.4 franc@6.2.0
//   node <repo>/packages/curate/bench/compare-detectors.mjs <repo>/packages/curate/test/alt-texts.json
// (Node resolves the imports from the current folder only if the script is copied there: cp it first.)
import { readFileSync } from 'node:fs';
import { eld } from 'eld/large';
import { detect as tinyld } from 'tinyld';
import { franc } from 'franc';
const s = JSON.parse(readFileSync(process.argv[2] ?? 'alt-texts.json', 'utf8'));
const det = {
  'eld 2.1.0 (large)': (t) => eld.detect(t).language === 'en',
  'tinyld': (t) => tinyld(t) === 'en',
  'franc (default, minLength 10)': (t) => franc(t) === 'eng',
  'franc (minLength 3)': (t) => franc(t, { minLength: 3 }) === 'eng',
};
const out = {};
for (const [name, isEn] of Object.entries(det)) {
  const enKept = s.en.filter(isEn).length;
  const otherKept = s.other.filter(isEn).length;
  out[name] = { enKept: `${enKept}/${s.en.length}`, otherKeptAsEn: `${otherKept}/${s.other.length}`, accuracy: (enKept + s.other.length - otherKept) / (s.en.length + s.other.length) };
}
console.log(JSON.stringify(out, null, 1));
