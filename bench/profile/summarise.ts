/**
 * Prints the Markdown summary of a V8 CPU profile:
 *
 *   npm run bench:summarise -- bench/results/profile/<file>.cpuprofile
 */
import { readFile } from 'node:fs/promises';
import { type CpuProfile, profileMarkdown, summariseProfile } from './cpu-profile.js';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run bench:summarise -- <file.cpuprofile>');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
process.stdout.write(profileMarkdown(summariseProfile(profile)));
