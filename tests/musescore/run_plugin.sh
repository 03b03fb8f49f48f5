#!/usr/bin/env bash
# Runs the MuseScore 3 plugin (integrations/musescore/deepbach.qml) headless
# on a chorale with a test selection, then checks the score it saved: the
# selected ticks and voices changed, nothing else did, and `deepbach info`
# reads it back. Exit 77 (CTest: skipped) only when mscore3 is not installed.
#
#   run_plugin.sh DEEPBACH CHECK_EDIT PLUGIN_QML CHORALE WORKDIR A-B STAFF_FIRST STAFF_LAST VOICES [ARGS...]
set -euo pipefail
deepbach=$1 check_edit=$2 plugin=$3 chorale=$4 work=$5 ticks=$6 first=$7 last=$8 voices=$9
shift 9
mscore=${MSCORE:-$(command -v mscore3 || command -v mscore || true)}
if [ -z "$mscore" ]; then
  echo "SKIP: MuseScore 3 (mscore3) is not installed; Debian: apt-get install musescore3 (scripts/install-deps)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/plugin" "$work/home"
cp "$plugin" "$work/plugin/deepbach.qml"
# The plugin's settings beside it: the command, sampler arguments and the test selection.
args_json=$(printf '"%s",' "$@"); args_json="[${args_json%,}]"
[ $# -eq 0 ] && args_json="[]"
cat > "$work/plugin/deepbach-musescore.json" <<JSON
{
  "deepbach": "$deepbach",
  "args": $args_json,
  "test": {
    "ticks": [${ticks%-*}, ${ticks#*-}],
    "staves": [$first, $last],
    "workdir": "$work",
    "output": "$work/result.musicxml",
    "log": "$work/plugin.log"
  }
}
JSON
export QT_QPA_PLATFORM=offscreen HOME="$work/home" XDG_RUNTIME_DIR="$work/home"
start=$(date +%s.%N)
if ! timeout 300 "$mscore" -p "$work/plugin/deepbach.qml" "$chorale" > "$work/mscore.log" 2>&1; then
  echo "mscore3 failed:"; tail -20 "$work/mscore.log"; exit 1
fi
echo "mscore3 -p ran in $(echo "$(date +%s.%N) - $start" | bc) s"
cat "$work/plugin.log" 2>/dev/null || { echo "the plugin wrote no log: did it load?"; grep -i "qml\|error" "$work/mscore.log" | tail; exit 1; }
grep -q "^done$" "$work/plugin.log" || { echo "the plugin did not finish"; exit 1; }
# The score the plugin exported before the edit against the one it saved after.
"$check_edit" "$work/deepbach-in.musicxml" "$work/result.musicxml" "$ticks" "$voices"
"$deepbach" info "$work/result.musicxml"
