#!/usr/bin/env bash
# gen.sh makes Anxin's default Mandarin telephone prompts: one WAV file per
# line of prompts.tsv, written to prompts/zh/NAME.wav at the top of the
# repository.
#
# The WAV files are committed. Nobody needs espeak-ng or sox to build, test or
# run Anxin; run this script only after changing prompts.tsv or the settings
# below, listen to (or at least look at the table of) the result, and commit
# prompts.tsv and prompts/zh/ together.
#
# Needs: bash, espeak-ng (with its Mandarin voice, Debian package espeak-ng)
# and sox (Debian package sox):
#
#     apt-get install -y espeak-ng sox
#     tools/prompts/gen.sh            # from anywhere in the repository
#
# Each prompt is spoken by espeak-ng's voice cmn-latn-pinyin, slowly (for
# callers who are old and often hard of hearing), then with sox:
#   - leading and trailing silence trimmed (threshold 0.1 % of full scale),
#   - lowered by 6 dB (headroom: espeak-ng peaks near full scale and the
#     resampler's filter overshoots) and resampled to 8000 Hz (telephone
#     audio) with sox's very-high-quality rate,
#   - padded with exactly 200 ms of digital silence at the start and the end,
#   - normalised to a peak of -3 dBFS,
#   - written as RIFF/WAVE, PCM signed 16-bit little-endian, mono, without
#     dither (so the same input gives the same bytes).
# At the end it prints a table of duration, RMS and peak level of each file,
# the check that stands in for listening.
#
# prompts.tsv: name<TAB>text, one prompt a line; # starts a comment line. The
# voice reads Chinese characters; Latin letters are read as pinyin with tone
# digits, which fixes a character espeak-ng reads wrongly (请chong2新选择).
# A text of the form "[tone 1000 Hz 0.5 s]" makes a sine tone instead of
# speech (the beep before a voice message).
#
# Settings can be overridden from the environment: VOICE (cmn-latn-pinyin),
# SPEED (words a minute, 130), PITCH (0-99, 50), OUT (prompts/zh).
#
# Do not use espeak-ng's voice "cmn" (or "zh") from Debian's 1.51: it reads the
# pinyin of its dictionary with English letter rules ("nin two" for 您), which
# is unintelligible. cmn-latn-pinyin uses the same dictionary and reads it as
# Mandarin.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tsv="$here/prompts.tsv"
VOICE=${VOICE:-cmn-latn-pinyin}
SPEED=${SPEED:-130}
PITCH=${PITCH:-50}
OUT=${OUT:-$root/prompts/zh}
RATE=8000
PAD=0.2      # seconds of silence at each end
PEAK=-3      # dBFS
TONE_PEAK=-12 # dBFS; a pure tone at -3 dBFS would be far louder than speech

for tool in espeak-ng sox; do
	if ! command -v "$tool" >/dev/null; then
		echo "gen.sh: $tool not found; apt-get install -y espeak-ng sox" >&2
		exit 1
	fi
done
voices=$(espeak-ng --voices=zh)
if ! grep -q "[[:space:]]${VOICE}[[:space:]]" <<<"$voices"; then
	echo "gen.sh: espeak-ng has no voice $VOICE" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/out"

# trim cuts leading and trailing silence (sox's silence effect trims the start;
# reversing, trimming the start again and reversing back trims the end).
trim=(silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse)
outfmt=(-r "$RATE" -c 1 -b 16 -e signed-integer -t wav)

n=0
while IFS=$'\t' read -r name text rest || [[ -n $name ]]; do
	[[ -z $name || $name == \#* ]] && continue
	if [[ ! $name =~ ^[a-z0-9]+(_[a-z0-9]+)*$ ]]; then
		echo "gen.sh: $tsv: bad name $name (want lower_snake_case ASCII)" >&2
		exit 1
	fi
	if [[ -z $text || -n $rest ]]; then
		echo "gen.sh: $tsv: $name: want exactly name<TAB>text" >&2
		exit 1
	fi
	if [[ -e $tmp/out/$name.wav ]]; then
		echo "gen.sh: $tsv: $name twice" >&2
		exit 1
	fi
	out="$tmp/out/$name.wav"
	if [[ $text =~ ^\[tone\ ([0-9]+)\ Hz\ ([0-9.]+)\ s\]$ ]]; then
		sox -D -n "${outfmt[@]}" "$out" \
			synth "${BASH_REMATCH[2]}" sine "${BASH_REMATCH[1]}" \
			fade h 0.01 "${BASH_REMATCH[2]}" 0.01 \
			pad "$PAD" "$PAD" norm "$TONE_PEAK"
	else
		printf '%s\n' "$text" >"$tmp/text.txt"
		espeak-ng -b 1 -v "$VOICE" -s "$SPEED" -p "$PITCH" \
			-f "$tmp/text.txt" -w "$tmp/raw.wav"
		sox -D "$tmp/raw.wav" "${outfmt[@]}" "$out" \
			"${trim[@]}" gain -6 rate -v "$RATE" pad "$PAD" "$PAD" norm "$PEAK"
	fi
	n=$((n + 1))
done <"$tsv"

# Replace the whole set, so that a prompt removed from the list goes too.
mkdir -p "$OUT"
rm -f "$OUT"/*.wav
mv "$tmp"/out/*.wav "$OUT"/

printf '%-22s %8s %9s %9s %8s\n' name seconds 'RMS dBFS' 'peak dBFS' bytes
total=0
for f in "$OUT"/*.wav; do
	stats=$(sox "$f" -n stats 2>&1)
	bytes=$(wc -c <"$f")
	total=$((total + bytes))
	printf '%-22s %8s %9s %9s %8d\n' "$(basename "$f" .wav)" \
		"$(awk '/^Length s/ {print $3}' <<<"$stats")" \
		"$(awk '/^RMS lev dB/ {print $4}' <<<"$stats")" \
		"$(awk '/^Pk lev dB/ {print $4}' <<<"$stats")" \
		"$bytes"
done
echo "$n prompts, $total bytes in $OUT ($(espeak-ng --version | head -n 1 | sed 's/ *Data at.*//'), voice $VOICE, speed $SPEED)"
