#!/usr/bin/env python3
"""Regenerate the digit voices of the audio captcha (bantin/audio/<language>/<digit>/).

The captcha alphabet is the digits 2-9 without 7 (see bantin/captcha.py), so only those
seven words are needed, in Vietnamese (the default) and English. Each digit gets several
recordings spoken by espeak-ng with different voice variants (male and female timbres),
pitches and speeds, trimmed and converted with sox to 8 kHz mono 16-bit PCM WAV.

These recordings are public (they ship with the code), so they are only raw material:
bantin/captcha_audio.py changes every word again at each request (pitch, speed, phase,
timbre, gaps, noise), so that no shipped recording can be found in the audio by template
matching (tests/captcha_solver.py is that attack).

Needs the Debian packages espeak-ng and sox (apt-get install -y espeak-ng sox).
Run from the project root: python scripts/make_captcha_voices.py
The output is small (about 300 KB) and committed, so the app never needs espeak-ng.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bantin" / "audio"

# The words, not the digits: espeak-ng reads them unambiguously.
WORDS = {
    "vi": {
        "2": "hai",
        "3": "ba",
        "4": "bốn",
        "5": "năm",
        "6": "sáu",
        "8": "tám",
        "9": "chín",
    },
    "en": {
        "2": "two",
        "3": "three",
        "4": "four",
        "5": "five",
        "6": "six",
        "8": "eight",
        "9": "nine",
    },
}
DURATION = 0.34  # seconds: every recording is brought to about this length

# (espeak-ng voice variant, words per minute, pitch 0-99): two male, two female timbres.
VARIANTS = {
    "vi": (
        ("vi", 130, 45),
        ("vi+m3", 140, 35),
        ("vi+f3", 125, 55),
        ("vi+f5", 135, 60),
    ),
    "en": (
        ("en-us", 140, 45),
        ("en-us+m3", 150, 35),
        ("en-us+f3", 135, 55),
        ("en-gb+f5", 140, 60),
    ),
}


def duration(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout)


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install -y espeak-ng sox", file=sys.stderr)
            return 1
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for language, words in WORDS.items():
            if (OUT / language).exists():
                shutil.rmtree(OUT / language)
            for digit, word in words.items():
                folder = OUT / language / digit
                folder.mkdir(parents=True)
                for index, (voice, speed, pitch) in enumerate(VARIANTS[language], start=1):
                    raw = Path(tmp) / f"{language}-{digit}-{index}.wav"
                    run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                         "-w", str(raw), word])  # fmt: skip
                    trimmed = Path(tmp) / f"{language}-{digit}-{index}-trimmed.wav"
                    # Trim leading/trailing silence.
                    run(["sox", str(raw), str(trimmed),
                         "silence", "1", "0.01", "0.5%", "reverse",
                         "silence", "1", "0.01", "0.5%", "reverse"])  # fmt: skip
                    # Every word to about the same length (tempo keeps the pitch), so that
                    # a word's length says nothing about its digit; 8 kHz mono 16-bit.
                    tempo = duration(trimmed) / (DURATION + 0.01 * (index - 2))
                    run(["sox", str(trimmed), "-r", "8000", "-b", "16", "-e", "signed-integer",
                         "-c", "1", str(folder / f"{index}.wav"),
                         "tempo", "-s", f"{tempo:.4f}", "norm", "-1"])  # fmt: skip
                    count += 1
    total = sum(p.stat().st_size for p in OUT.rglob("*.wav"))
    print(f"Wrote {count} voices ({total // 1024} KB) to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
