#!/usr/bin/env python3
"""Regenerate the Vietnamese digit voices of the audio captcha (bantin/audio/vi/).

The captcha alphabet is the digits 2-9 (see bantin/captcha.py), so only those eight
words are needed. Each digit gets a few recordings (voice variants and speeds) spoken
by espeak-ng's Vietnamese voice, trimmed and converted with sox to the format the
`captcha` library's AudioCaptcha mixes: 8 kHz, mono, 8-bit unsigned PCM WAV.

Needs the Debian packages espeak-ng and sox (apt-get install -y espeak-ng sox).
Run from the project root: python scripts/make_captcha_voices.py
The output is small (about 60 KB) and committed, so the app never needs espeak-ng.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bantin" / "audio" / "vi"

# The words, not the digits: espeak-ng reads them unambiguously.
WORDS = {
    "2": "hai",
    "3": "ba",
    "4": "bốn",
    "5": "năm",
    "6": "sáu",
    "7": "bảy",
    "8": "tám",
    "9": "chín",
}
# (espeak-ng voice, words per minute, pitch 0-99)
VARIANTS = (
    ("vi", 130, 45),
    ("vi+f3", 125, 55),
    ("vi+m3", 145, 35),
)


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install -y espeak-ng sox", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        for digit, word in WORDS.items():
            folder = OUT / digit
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for index, (voice, speed, pitch) in enumerate(VARIANTS, start=1):
                raw = Path(tmp) / f"{digit}-{index}.wav"
                run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                     "-w", str(raw), word])  # fmt: skip
                target = folder / f"{index}.wav"
                # Trim leading/trailing silence, then 8 kHz mono 8-bit unsigned, normalised.
                run(["sox", str(raw), "-r", "8000", "-b", "8", "-e", "unsigned-integer",
                     "-c", "1", str(target),
                     "silence", "1", "0.01", "0.5%", "reverse",
                     "silence", "1", "0.01", "0.5%", "reverse",
                     "norm", "-1"])  # fmt: skip
    total = sum(p.stat().st_size for p in OUT.rglob("*.wav"))
    print(f"Wrote {len(WORDS) * len(VARIANTS)} voices ({total // 1024} KB) to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
