#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seed inputs for one fuzz target, made at build time from the shared corpus.

    make-seeds.py TARGET CORPUS_DIR BENCH_DIR OUT_DIR

The recordings stay where they are (../shared/gemini-corpus); only inputs
derived from them are written, into OUT_DIR in the build directory.
"""

import json
import random
import shutil
import struct
import sys
from pathlib import Path


def recordings(corpus):
    """Every recorded body, sorted by path."""
    return sorted(p for p in (corpus / "recorded").rglob("*")
                  if p.is_file() and p.name != "LICENSE")


def sse_events(body):
    """The JSON payloads of an SSE body (data: lines joined), or the body itself."""
    text = body.decode("utf-8", "replace").replace("\r\n", "\n")
    if not text.lstrip().startswith("data:"):
        return [text]
    events = []
    for block in text.split("\n\n"):
        lines = [l[5:].lstrip(" ") for l in block.split("\n") if l.startswith("data:")]
        if lines:
            events.append("\n".join(lines))
    return events


def chunks_of(body):
    """The GenerateContentResponse objects of a body, streamed or not."""
    out = []
    for event in sse_events(body):
        try:
            value = json.loads(event)
        except ValueError:
            continue
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, dict))
        elif isinstance(value, dict):
            out.append(value)
    return out


def merged_answer(chunks):
    """The first candidate's text, its parts (text joined) and grounding supports."""
    text, parts, supports = "", [], []
    for chunk in chunks:
        for cand in chunk.get("candidates", [])[:1]:
            for part in (cand.get("content") or {}).get("parts") or []:
                if "text" in part and not part.get("thought") and len(part) == 1:
                    text += part["text"]
                    if parts and list(parts[-1]) == ["text"]:
                        parts[-1] = {"text": parts[-1]["text"] + part["text"]}
                        continue
                parts.append(part)
            supports += (cand.get("groundingMetadata") or {}).get("groundingSupports") or []
    return text, parts, supports


def write(out, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    (out / name).write_bytes(data)


def seeds_sse(corpus, bench, out):
    # control bytes: size limit, event the handler fails on, slicing seed (see the target)
    controls = [b"\x00\xff\x00\x00", b"\x00\xff\x01\x00", b"\x00\xff\x02\x00",
                b"\x00\xff\x03\x00", b"\x09\xff\x13\x37", b"\x06\x01\x22\x11"]
    for i, path in enumerate(recordings(corpus)):
        body = path.read_bytes()
        write(out, f"{path.stem}-{path.parent.name}", controls[i % len(controls)] + body)
    write(out, "bom-comments-crlf", b"\x00\xff\x05\x00" + b"\xef\xbb\xbf: hi\r\nevent: x\r\n"
          b"data: {\"a\":1}\r\ndata: [2]\r\n\r\n{\"error\": {\"code\": 499}}\n\rdata:x\r")


def seeds_response(corpus, bench, out):
    for path in recordings(corpus):
        write(out, f"{path.stem}-{path.parent.name}", path.read_bytes())


def encode_citations(text, supports, rng):
    data = bytearray([1])
    raw = text.encode("utf-8")[:65535]
    data += struct.pack("<H", len(raw)) + raw
    for s in supports[:200]:
        seg = s.get("segment") or {}
        start, end = int(seg.get("startIndex", 0)), int(seg.get("endIndex", 0))
        data += struct.pack("<II", start, end)
        seg_text = seg.get("text")
        if seg_text is None:
            data += b"\x00"
        elif rng.random() < 0.5:
            data += b"\x03"
        else:
            t = seg_text.encode("utf-8")[:255]
            data += b"\x02" + bytes([len(t)]) + t
        idx = (s.get("groundingChunkIndices") or [])[:15]
        data += bytes([len(idx)]) + b"".join(struct.pack("<H", min(int(i), 65535)) for i in idx)
        conf = (s.get("confidenceScores") or [])[:15]
        data += bytes([len(conf)]) + bytes(min(255, max(0, int(float(c) * 255))) for c in conf)
    return bytes(data)


def seeds_citations(corpus, bench, out):
    rng = random.Random(8)
    for path in recordings(corpus):
        text, _, supports = merged_answer(chunks_of(path.read_bytes()))
        if supports:
            write(out, f"{path.stem}-{path.parent.name}", encode_citations(text, supports, rng))
    # Markdown with code blocks, inline code and links, with made-up supports
    md = (bench / "answer-100k.md").read_text("utf-8")
    for n in range(6):
        start = rng.randrange(0, len(md) - 3000)
        piece = md[start:start + rng.randrange(300, 3000)]
        raw = piece.encode("utf-8")
        supports = []
        for _ in range(rng.randrange(1, 12)):
            a = rng.randrange(0, len(raw))
            b = min(len(raw), a + rng.randrange(1, 200))
            seg = {"startIndex": a, "endIndex": b}
            if rng.random() < 0.7:
                seg["text"] = raw[a:b].decode("utf-8", "ignore")
            supports.append({"segment": seg,
                             "groundingChunkIndices": rng.sample(range(8), rng.randrange(1, 4))})
        write(out, f"answer-100k-piece-{n}", encode_citations(piece, supports, rng))


def seeds_import(corpus, bench, out):
    for path in recordings(corpus):
        chunks = chunks_of(path.read_bytes())
        _, parts, _ = merged_answer(chunks)
        if not parts:
            continue
        version = next((c["modelVersion"] for c in chunks if "modelVersion" in c), None)
        contents = [{"role": "user", "parts": [{"text": "Tell me about " + path.stem}]},
                    {"role": "model", "parts": parts}]
        export = {"starling": {"version": 1, "title": path.stem,
                               "created": "2025-01-02T03:04:05Z", "model": version,
                               "settings": {"temperature": 0.5, "thinkingBudget": -1}},
                  "contents": contents}
        write(out, f"{path.stem}-{path.parent.name}-export.json", json.dumps(export, indent=2))
        # a request body, which the import also takes
        write(out, f"{path.stem}-{path.parent.name}-request.json",
              json.dumps({"contents": contents, "generationConfig": {"temperature": 1}}))
    write(out, "image-and-snake-case.json", json.dumps({"contents": [
        {"role": "user", "parts": [{"inline_data": {"mime_type": "image/png",
                                                    "data": "iVBORw0KGgo="}},
                                   {"text": "caf\u00e9 \u2603"}]},
        {"role": "model", "parts": [{"text": "ok", "thoughtSignature": "c2ln"},
                                    {"functionCall": {"name": "f", "args": {"x": [1, 2.5e3]}}}]}]},
        ensure_ascii=False))


def seeds_markdown(corpus, bench, out):
    md = (bench / "answer-100k.md").read_text("utf-8")
    # block-aligned pieces of about 2 KB: the fuzzer mutates small inputs faster
    piece, n = "", 0
    for block in md.split("\n\n"):
        piece += block + "\n\n"
        if len(piece) > 2048:
            write(out, f"answer-100k-{n:02d}.md", piece)
            piece, n = "", n + 1
    if piece:
        write(out, f"answer-100k-{n:02d}.md", piece)
    for path in recordings(corpus):
        text, _, _ = merged_answer(chunks_of(path.read_bytes()))
        if text.strip():
            write(out, f"{path.stem}-{path.parent.name}.md", text)


def main():
    target, corpus, bench, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    makers = {"sse-decoder": seeds_sse, "response": seeds_response,
              "citations": seeds_citations, "import": seeds_import,
              "markdown": seeds_markdown}
    if not (corpus / "recorded").is_dir():
        sys.exit(f"make-seeds.py: no corpus at {corpus}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    makers[target](corpus, bench, out)
    print(f"{target}: {sum(1 for _ in out.iterdir())} seeds in {out}")


if __name__ == "__main__":
    main()
