// SPDX-License-Identifier: GPL-3.0-or-later
// Peer of bench-decode: the same long SSE stream decoded by Google's official
// JavaScript SDK (@google/genai), through its public streaming call.
//
// The stream is googleai/streaming-success-basic-reply-long.txt repeated to
// about 10 MB, as in bench-decode.c. globalThis.fetch is replaced by one that
// answers from memory, in 16 KiB reads, so the SDK runs its real code path
// (ApiClient.processStreamResponse splits the body into events, each becomes
// a Response whose .json() is parsed, then generateContentResponseFromMldev
// builds a GenerateContentResponse) and no byte goes to the network. The
// consumer reads chunk.text of every chunk, as a client that shows the
// answer does (Starling's figure includes merging the deltas).
//
//   node genai-decode.mjs            prints genai_decode_throughput_mb_s etc.
// Needs STARLING_CORPUS_DIR.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';

const TARGET_BYTES = 10 * 1000 * 1000;
const READ_SIZE = 16 * 1024;
const RUNS = 5;

const corpus = process.env.STARLING_CORPUS_DIR;
if (!corpus) {
  console.error('STARLING_CORPUS_DIR is not set');
  process.exit(2);
}

const one = readFileSync(join(corpus, 'recorded', 'googleai', 'streaming-success-basic-reply-long.txt'));
const repeats = Math.ceil(TARGET_BYTES / one.length);
const body = Buffer.concat(Array(repeats).fill(one));
const nEvents = repeats * (one.toString('latin1').split('\r\n\r\n').length - 1);

function bodyStream() {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= body.length) {
        controller.close();
        return;
      }
      const end = Math.min(offset + READ_SIZE, body.length);
      // a copy, as bytes read from a socket would be
      controller.enqueue(new Uint8Array(body.subarray(offset, end)));
      offset = end;
    },
  });
}

globalThis.fetch = async (url) => {
  if (!String(url).includes(':streamGenerateContent?alt=sse')) {
    throw new Error(`unexpected request in the benchmark: ${url}`);
  }
  return new Response(bodyStream(), {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
  });
};

const ai = new GoogleGenAI({ apiKey: 'benchmark-no-network' });

async function decodeAll() {
  const start = performance.now();
  const stream = await ai.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'benchmark',
  });
  let chunks = 0;
  let textLength = 0;
  for await (const chunk of stream) {
    chunks++;
    textLength += (chunk.text ?? '').length;
  }
  return { seconds: (performance.now() - start) / 1000, chunks, textLength };
}

// what one copy of the recording holds, to check nothing is lost or doubled
const single = (() => {
  let length = 0;
  for (const event of one.toString('utf8').split('\r\n\r\n')) {
    if (!event.startsWith('data:')) continue;
    const parts = JSON.parse(event.slice(5)).candidates?.[0]?.content?.parts ?? [];
    for (const part of parts) if (typeof part.text === 'string' && !part.thought) length += part.text.length;
  }
  return length;
})();

let best = Infinity;
for (let run = 0; run < RUNS; run++) {
  const { seconds, chunks, textLength } = await decodeAll();
  if (chunks !== nEvents || textLength !== repeats * single) {
    console.error(`wrong result: ${chunks} chunks of ${nEvents}, ${textLength} characters of ${repeats * single}`);
    process.exit(1);
  }
  best = Math.min(best, seconds);
}

const pkg = JSON.parse(readFileSync(new URL('./node_modules/@google/genai/package.json', import.meta.url), 'utf8'));
console.log(`# @google/genai ${pkg.version} on Node ${process.versions.node}: ${body.length} bytes, ${nEvents} events, best of ${RUNS}`);
console.log(`genai_decode_throughput_mb_s ${(body.length / 1e6 / best).toFixed(1)}`);
