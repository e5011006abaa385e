// SPDX-License-Identifier: GPL-3.0-or-later
// Peer of bench-markdown: a 100 KB Markdown answer streamed in 20-byte
// deltas, the whole accumulated text rendered again with `marked` after each
// delta, as web chat clients do (then they set innerHTML). Measures the total
// CPU time of the process for the stream (process.cpuUsage), and rendering the
// final text once, median of 3 rounds each.
//
//   node marked-stream.mjs     prints marked_stream_cpu_ms etc.
// Needs STARLING_BENCH_DIR (the folder with answer-100k.md).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';

const DELTA_SIZE = 20;
const ROUNDS = 3;

const dir = process.env.STARLING_BENCH_DIR;
if (!dir) {
  console.error('STARLING_BENCH_DIR is not set');
  process.exit(2);
}

// deltas cut on bytes, as they come off the wire, then decoded as a client's
// TextDecoder in stream mode would
const bytes = readFileSync(join(dir, 'answer-100k.md'));
const deltas = [];
{
  const decoder = new TextDecoder('utf-8');
  for (let offset = 0; offset < bytes.length; offset += DELTA_SIZE) {
    deltas.push(decoder.decode(bytes.subarray(offset, offset + DELTA_SIZE), { stream: true }));
  }
  deltas.push(decoder.decode());
}

function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const full = bytes.toString('utf8');
const once = [];
const streamed = [];
let html = '';
for (let round = 0; round < ROUNDS; round++) {
  let usage = process.cpuUsage();
  html = marked.parse(full);
  once.push(cpuMs(process.cpuUsage(usage)));

  usage = process.cpuUsage();
  let text = '';
  for (const delta of deltas) {
    text += delta;
    html = marked.parse(text);
  }
  streamed.push(cpuMs(process.cpuUsage(usage)));
  if (text !== full) {
    console.error('the deltas do not add up to the answer');
    process.exit(1);
  }
}

const version = JSON.parse(readFileSync(new URL('./node_modules/marked/package.json', import.meta.url), 'utf8')).version;
console.log(`# marked ${version} on Node ${process.versions.node}: ${bytes.length} bytes, ${deltas.length - 1} deltas of ${DELTA_SIZE} bytes, ${html.length} characters of HTML`);
console.log(`marked_render_once_cpu_ms ${median(once).toFixed(1)}`);
console.log(`marked_stream_cpu_ms ${median(streamed).toFixed(1)}`);
console.log(`marked_stream_cpu_ratio ${(median(streamed) / median(once)).toFixed(1)}`);
