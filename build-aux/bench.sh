#!/usr/bin/env bash
# build-aux/bench.sh: what `build-aux/starling bench` runs.
#
#   build-aux/starling bench [--strict] [--no-peers] [--no-build] [--no-run] [--update-baseline]
#
# Builds the release configuration (_build-release), runs every benchmark
# registered with benchmark() (suite 'bench') in a private session with a
# virtual display (build-aux/test-session.sh), runs the peers of
# tests/bench/peers in Node (installed from npm into _build-release/peers),
# and reads the "name value" lines the benchmarks print into a table:
# printed, and written to _build-release/bench-results.md and .json. Each
# figure is compared with tests/bench/baseline.json; a change of more than
# 20% in the wrong direction (the baseline says which way is better) is
# flagged as a regression.
#
#   --strict           exit with status 1 when a regression is flagged
#   --no-peers         skip the Node peers
#   --no-build         use _build-release as it is
#   --no-run           only make the table again from the last run's output
#   --update-baseline  write these figures as the new tests/bench/baseline.json
#
# The exit status is also non-zero when a benchmark failed to run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build-release"
strict=0
peers=1
do_build=1
do_run=1
update=0

for arg in "$@"; do
  case "$arg" in
    --strict) strict=1 ;;
    --no-peers) peers=0 ;;
    --no-build) do_build=0 ;;
    --no-run) do_build=0; do_run=0; peers=0 ;;
    --update-baseline) update=1 ;;
    *)
      sed -n '4,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
done

say() { printf 'bench: %s\n' "$*" >&2; }

# The corpus and the benchmark inputs live beside the project (as in meson.build).
corpus_dir="$top/../shared/gemini-corpus"
bench_dir="$top/../shared/bench"

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$top" --buildtype=release -Dui_tests=false >/dev/null
  else
    meson configure "$build" --buildtype=release -Dui_tests=false >/dev/null
  fi
  ninja -C "$build"
fi

bench_status=0
peer_out="$build/peers/results.txt"
if [ "$do_run" = 1 ]; then
  # A fresh log: the table is read from meson's record of this run only.
  rm -f "$build/meson-logs/testlog.json" "$peer_out"
  dbus-run-session -- "$top/build-aux/test-session.sh" --benchmark "$build" || bench_status=$?
fi

if [ "$peers" = 1 ]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    mkdir -p "$build/peers"
    # Node resolves packages from the script's folder: the scripts go beside node_modules.
    cp "$top/tests/bench/peers/package.json" "$top/tests/bench/peers/"*.mjs "$build/peers/"
    say "installing the peers from npm into $build/peers"
    if (cd "$build/peers" && npm install --no-audit --no-fund --loglevel=error >/dev/null); then
      for script in genai-decode marked-stream; do
        say "running peer $script"
        if ! (cd "$build/peers" &&
              STARLING_CORPUS_DIR="$corpus_dir" STARLING_BENCH_DIR="$bench_dir" \
                node "$script.mjs") >>"$peer_out"; then
          say "peer $script failed"
          echo "# peer $script failed" >>"$peer_out"
        fi
      done
    else
      say "npm install failed: no peer comparison"
    fi
  else
    say "node or npm not found: no peer comparison"
  fi
fi

table_status=0
python3 - "$build" "$top/tests/bench/baseline.json" "$peer_out" "$strict" "$update" <<'PY' || table_status=$?
import datetime
import json
import os
import platform
import re
import subprocess
import sys

build, baseline_path, peer_path, strict, update = sys.argv[1:6]
strict, update = strict == "1", update == "1"

TOLERANCE = 0.20

# Which way is better, for a name the baseline does not know yet.
def guess_direction(name):
    if re.search(r"(_mb_s|_per_s|_fps)$", name) or "throughput" in name:
        return "higher"
    if name.endswith("_generate_s"):
        return "info"  # making the fixture, not the thing measured
    if re.search(r"(_ms|_us|_s|_mb|_kb|_ratio|_ratio_gross)$", name):
        return "lower"
    return "info"

def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "system": f"{platform.system()} {platform.release()} {platform.machine()}"}

def parse_lines(text, into, info, bench):
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-z][a-z0-9_]*)\s+(\S+)(.*)$", line)
        if not m:
            continue
        name, value, rest = m.group(1), m.group(2), m.group(3).strip()
        try:
            into[name] = {"benchmark": bench, "value": float(value), "note": rest}
        except ValueError:
            info[name] = {"benchmark": bench, "value": (value + " " + rest).strip()}

metrics, info, failed = {}, {}, []
log = os.path.join(build, "meson-logs", "testlog.json")
if os.path.exists(log):
    for line in open(log, encoding="utf-8", errors="replace"):
        if not line.strip():
            continue
        entry = json.loads(line)
        name = entry["name"].split(" / ")[-1]
        if entry.get("result") not in ("OK", "EXPECTEDFAIL"):
            failed.append(f"{name} ({entry.get('result')})")
        parse_lines(entry.get("stdout") or "", metrics, info, name)
else:
    failed.append("no benchmark log: the benchmarks did not run")

peer_notes = []
if os.path.exists(peer_path):
    text = open(peer_path, encoding="utf-8").read()
    parse_lines(text, metrics, info, "peers")
    peer_notes = [l[2:] for l in text.splitlines() if l.startswith("# ")]

# Ratios to the peers: Starling's figure over the peer's.
def value(name):
    return metrics[name]["value"] if name in metrics else None

ratios = [
    ("peer_decode_throughput_ratio", "decode_throughput_mb_s", "genai_decode_throughput_mb_s",
     "SSE decoding of the same 10 MB stream, MB/s: Starling / @google/genai"),
    ("peer_markdown_stream_cpu_ratio", "markdown_stream_cpu_ms", "marked_stream_cpu_ms",
     "CPU to stream the 100 KB answer in 20-byte deltas: Starling's view / marked re-rendering per delta"),
]
for name, ours, theirs, _ in ratios:
    if value(ours) is not None and value(theirs):
        metrics[name] = {"benchmark": "peers", "value": value(ours) / value(theirs), "note": ""}

baseline = {}
if os.path.exists(baseline_path):
    baseline = json.load(open(baseline_path, encoding="utf-8"))
known = baseline.get("metrics", {})
tolerance = baseline.get("tolerance", TOLERANCE)

rows, regressions = [], []
for name in sorted(metrics, key=lambda n: (metrics[n]["benchmark"], n)):
    m = metrics[name]
    base = known.get(name, {})
    direction = base.get("better") or guess_direction(name)
    limit = base.get("tolerance", tolerance)
    status, change = "new", None
    if "value" in base and base["value"]:
        change = (m["value"] - base["value"]) / base["value"]
        if direction == "info":
            status = "info"
        elif (direction == "higher" and change < -limit) or (direction == "lower" and change > limit):
            status = "REGRESSION"
            regressions.append(name)
        elif (direction == "higher" and change > limit) or (direction == "lower" and change < -limit):
            status = "better"
        else:
            status = "ok"
    elif direction == "info":
        status = "info"
    rows.append({"benchmark": m["benchmark"], "metric": name, "value": m["value"],
                 "note": m["note"], "baseline": base.get("value"), "better": direction,
                 "change": change, "status": status})

def fmt(v):
    if v is None:
        return ""
    if abs(v) >= 100 or v == int(v):
        return f"{v:.0f}" if abs(v) >= 100 else f"{v:g}"
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}"

now = datetime.datetime.now().astimezone()
mach = machine()
md = [f"# Starling benchmarks, {now:%Y-%m-%d %H:%M %z}", "",
      f"Machine: {mach['cpu']} ({mach['cores']} cores, {mach['memory']}), {mach['system']}.", "",
      f"Change is against tests/bench/baseline.json; more than {tolerance:.0%} the wrong way "
      "is a REGRESSION (higher is better for throughput, lower for times and sizes).", "",
      "| benchmark | metric | value | baseline | change | better | status |",
      "|---|---|---:|---:|---:|---|---|"]
for r in rows:
    change = f"{r['change']:+.1%}" if r["change"] is not None else ""
    md.append(f"| {r['benchmark']} | {r['metric']} | {fmt(r['value'])} | {fmt(r['baseline'])} "
              f"| {change} | {r['better']} | {r['status']} |")

md += ["", "## Peers", ""]
for name, ours, theirs, what in ratios:
    if name in metrics:
        md.append(f"- {what}: {fmt(value(ours))} / {fmt(value(theirs))} = **{metrics[name]['value']:.3g}**")
    else:
        missing = [n for n in (ours, theirs) if value(n) is None]
        md.append(f"- {what}: missing ({', '.join(missing)} not measured)")
for note in peer_notes:
    md.append(f"- {note}")

if info:
    md += ["", "## Other output", ""]
    md += [f"- {n}: {i['value']} ({i['benchmark']})" for n, i in sorted(info.items())]
if failed:
    md += ["", "## Failed", ""] + [f"- {f}" for f in failed]
md += ["", f"{len(regressions)} regression(s)" + (f": {', '.join(regressions)}" if regressions else "")]

text = "\n".join(md) + "\n"
print(text)
open(os.path.join(build, "bench-results.md"), "w", encoding="utf-8").write(text)

commit = None
try:
    commit = subprocess.run(["git", "-C", os.path.dirname(baseline_path), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError):
    pass
result = {"date": now.isoformat(timespec="seconds"), "machine": mach, "commit": commit,
          "tolerance": tolerance, "rows": rows, "info": info, "peers": peer_notes,
          "failed": failed, "regressions": regressions}
json.dump(result, open(os.path.join(build, "bench-results.json"), "w", encoding="utf-8"), indent=2)

if update:
    new = {"date": now.strftime("%Y-%m-%d"), "machine": mach, "tolerance": tolerance,
           "metrics": {}}
    for r in rows:
        entry = {"value": round(r["value"], 3), "better": r["better"]}
        if "tolerance" in known.get(r["metric"], {}):
            entry["tolerance"] = known[r["metric"]]["tolerance"]
        new["metrics"][r["metric"]] = entry
    with open(baseline_path, "w", encoding="utf-8") as f:
        json.dump(new, f, indent=2)
        f.write("\n")
    print(f"bench: wrote {len(rows)} figures to {baseline_path}", file=sys.stderr)

if failed:
    sys.exit(3)
if regressions and strict:
    sys.exit(1)
PY

if [ "$bench_status" -ne 0 ] && [ "$table_status" -eq 0 ]; then
  table_status=3
fi
exit "$table_status"
