#!/usr/bin/env bash
# Starts the fake Gemini server with its demo routes (recorded and scripted
# answers: a streamed Markdown answer, thoughts, grounding with citations, an
# image model, an error) on loopback, and Starling against it.
#   demo.sh BUILD_DIR
set -euo pipefail

build=$1
shift
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${STARLING_CORPUS_DIR:-$top/../shared/gemini-corpus}

if [ ! -d "$corpus" ]; then
  echo "starling demo: the recorded corpus is missing (looked in $corpus; set STARLING_CORPUS_DIR)" >&2
  exit 1
fi

coproc FAKE { exec "$build/tests/fake-gemini/fake-gemini" --port 0 --corpus "$corpus" --demo --key demo-key --quiet; }
trap 'kill "$FAKE_PID" 2>/dev/null || true' EXIT
read -r line <&"${FAKE[0]}"
base_url=${line##* }
echo "starling demo: fake Gemini server at $base_url (answers are recordings)" >&2

STARLING_API_KEY=demo-key "$build/src/starling" --demo --base-url "$base_url" "$@"
