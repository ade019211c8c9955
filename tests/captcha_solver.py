"""An attacker's audio-captcha solver: template matching against the shipped recordings.

The voices under ``bantin/audio/`` are public (they ship with the code), so the simplest
strong attack is to look for each of them in the audio:

1. *Where*: an audio captcha's noise must stay well below the speech, or people could not
   follow it, so the words are where the energy is: 10 ms frames above a threshold, merged
   across short dips, make the candidate stretches.
2. *What*: at each word's onset (± ``margin``), the normalised cross-correlation (NCC) of
   every shipped recording's waveform, resampled over a 1% grid of speed factors
   (0.84-1.18), slid over the onset; the best-matching recording names the word. For speed
   the grid is searched coarse to fine: every third factor first, then the neighbours of
   the ``refine`` best candidates. The ``length`` stretches that match best are the code.

Everything runs in the frequency domain with numpy, so 200 challenges take seconds. As a
control, ``test_captcha_solver.py`` shows it reads nearly every code of a renderer that
varies only speed, level and gaps; against the app's audio it must stay below 5%.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

RATE = 8000
FRAME = RATE // 100  # 10 ms
DECIMATE = 4  # the coarse pass runs at 2 kHz
FACTORS = tuple(round(0.84 + 0.01 * i, 2) for i in range(35))  # 0.84 ... 1.18


def decode_wav(data: bytes, rate: int = RATE) -> np.ndarray:
    """Mono float64 samples of a PCM WAV (8-bit unsigned or 16-bit), resampled to ``rate``."""
    with wave.open(io.BytesIO(data)) as w:
        width, channels, source_rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
        frames = w.readframes(w.getnframes())
    if width == 1:
        samples = (np.frombuffer(frames, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    else:
        raise ValueError(f"unsupported sample width {width}")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return resample(samples, rate / source_rate)


def resample(samples: np.ndarray, factor: float) -> np.ndarray:
    """Linear-interpolation resampling: ``factor`` > 1 makes it longer (slower, lower).

    Going well down in rate, neighbours are averaged first (a crude low-pass).
    """
    if abs(factor - 1.0) < 1e-9:
        return samples
    if factor < 0.75:
        width = round(1 / factor)
        samples = np.convolve(samples, np.ones(width) / width, mode="same")
    length = max(2, round(len(samples) * factor))
    positions = np.linspace(0, len(samples) - 1, length)
    return np.interp(positions, np.arange(len(samples)), samples)


def _fft_size(n: int) -> int:
    """The smallest 2^a·3^b·5^c at least ``n`` (sizes pocketfft handles fast)."""
    best = 1 << int(np.ceil(np.log2(n)))
    for three in (1, 3, 9, 5, 15, 25, 45, 75):
        size = three
        while size < n:
            size *= 2
        best = min(best, size)
    return best


class _Bank:
    """Unit-norm templates and their spectra, correlated with short chunks of audio."""

    def __init__(self, rows, offsets: int):
        self.lengths = np.array([len(r) for r in rows])
        self.offsets = offsets + 1  # starts tried: 0 .. offsets
        self.window = offsets + int(self.lengths.max())
        self.size = _fft_size(self.window)
        stack = np.zeros((len(rows), self.size), dtype=np.float32)
        for i, row in enumerate(rows):
            stack[i, : len(row)] = row
        self.spectra = np.conj(np.fft.rfft(stack, axis=1))

    def scores(self, chunk: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Best NCC of each template row over the starts tried in ``chunk``."""
        n = len(chunk)
        offsets = min(self.offsets, n)
        spectrum = np.fft.rfft(chunk, self.size).astype(np.complex64)
        corr = np.fft.irfft(self.spectra[rows] * spectrum, self.size, axis=1)[:, :offsets]
        starts = np.arange(offsets)
        lengths = self.lengths[rows]
        ends = starts[None, :] + lengths[:, None]
        fits = ends <= n
        ends = np.minimum(ends, n)
        s1 = np.concatenate(([0.0], np.cumsum(chunk)))
        s2 = np.concatenate(([0.0], np.cumsum(chunk * chunk)))
        total = s1[ends] - s1[starts][None, :]
        power = s2[ends] - s2[starts][None, :] - total * total / lengths[:, None]
        # A floor on the window power (RMS 0.003): digital silence matches nothing.
        ncc = corr / np.sqrt(np.maximum(power, 1e-5 * lengths[:, None]))
        ncc[~fits] = -np.inf
        return ncc.max(axis=1)


class TemplateSolver:
    """Reads a code by finding the shipped recordings in the audio.

    ``voice_dirs``: folders holding ``<character>/<n>.wav`` (the shipped voices).
    """

    def __init__(self, voice_dirs, factors=FACTORS, margin=0.07, refine=16, spacing=0.25):
        self.labels: list[str] = []
        self.recording: list[int] = []  # template row -> index of its shipped recording
        self.factor: list[float] = []
        rows = []
        index = 0
        for voice_dir in voice_dirs:
            for folder in sorted(Path(voice_dir).iterdir()):
                if not (folder.is_dir() and len(folder.name) == 1):
                    continue
                for path in sorted(folder.glob("*.wav")):
                    base = decode_wav(path.read_bytes())
                    for factor in factors:
                        row = resample(base, factor)
                        row = row - row.mean()
                        rows.append(row / np.linalg.norm(row))
                        self.labels.append(folder.name)
                        self.recording.append(index)
                        self.factor.append(factor)
                    index += 1
        if not rows:
            raise ValueError("no recordings found")
        self.recording_arr = np.array(self.recording)
        self.factor_arr = np.array(self.factor)
        self.margin = round(margin * RATE)
        self.fine = _Bank(rows, 3 * self.margin)
        # The coarse pass: every third factor, at a quarter of the rate, where a small
        # speed error costs far less correlation.
        step = factors[1] - factors[0] if len(factors) > 1 else 1.0
        self.coarse_rows = np.flatnonzero(
            np.isclose(np.round((self.factor_arr - factors[0]) / step) % 3, 0)
        )
        low = [resample(rows[i], 1 / DECIMATE) for i in self.coarse_rows]
        self.coarse = _Bank(
            [(r - r.mean()) / np.linalg.norm(r - r.mean()) for r in low],
            3 * self.margin // DECIMATE,
        )
        self.neighbour = 2.5 * step
        self.refine = refine
        self.spacing = round(spacing * RATE)  # two words never start closer

    # -------------------------------------------------------------- where

    def locate(self, audio: np.ndarray) -> list[int]:
        """Candidate word onsets, in time order.

        The starts of the stretches of sound (80 ms or more above the noise), and, for audio
        whose words sit on a bed of other sounds, every point where the level jumps by 6 dB
        or more within 50 ms.
        """
        count = len(audio) // FRAME
        rms = np.sqrt((audio[: count * FRAME].reshape(count, FRAME) ** 2).mean(axis=1))
        rms = np.convolve(rms, np.ones(3) / 3, mode="same")
        floor = np.percentile(rms, 10)  # the pauses: noise alone
        active = rms > max(2 * floor, 0.05 * rms.max())
        segments = []  # [start, end) in frames
        for i in np.flatnonzero(active):
            if segments and i - segments[-1][1] <= 12:  # dips under 120 ms belong to a word
                segments[-1][1] = i + 1
            else:
                segments.append([i, i + 1])
        onsets = {a for a, b in segments if b - a >= 8}  # at least 80 ms
        level = 20 * np.log10(rms + 1e-9)
        rise = level - np.array([level[max(0, i - 5) : i + 1].min() for i in range(count)])
        for i in np.flatnonzero((rise > 6) & (rms > 2 * floor)):
            if rise[i] == rise[max(0, i - 5) : i + 6].max():
                onsets.add(int(i))
        merged: list[int] = []
        for i in sorted(onsets):
            if not merged or i - merged[-1] > 3:  # closer than 30 ms: the same onset
                merged.append(i)
        return [i * FRAME for i in merged]

    # -------------------------------------------------------------- what

    def identify(self, audio: np.ndarray, onset: int) -> tuple[str, float]:
        """The recording (at the best speed) that matches best near ``onset``.

        The onset found by loudness can be late by a quiet consonant: starts from
        ``onset - 2·margin`` to ``onset + margin`` are tried (early by more than the rest).
        """
        lo = max(0, onset - 2 * self.margin)
        chunk = audio[lo : lo + self.fine.window]
        low = resample(chunk, 1 / DECIMATE)
        coarse = self.coarse.scores(low, np.arange(len(self.coarse_rows)))
        leaders = self.coarse_rows[np.argsort(coarse)[-self.refine :]]
        near = np.zeros(len(self.labels), dtype=bool)
        for row in leaders:
            near |= (self.recording_arr == self.recording_arr[row]) & (
                np.abs(self.factor_arr - self.factor_arr[row]) <= self.neighbour
            )
        rows = np.flatnonzero(near)
        scores = self.fine.scores(chunk, rows)
        best = int(np.argmax(scores))
        return self.labels[int(rows[best])], float(scores[best])

    def solve(self, wav: bytes, length: int = 5) -> str:
        """The ``length`` stretches that match a recording best, read in time order.

        (Stretches that match no recording well, a chime or a cough, drop out.)
        """
        audio = decode_wav(wav)
        found = [(onset, *self.identify(audio, onset)) for onset in self.locate(audio)]
        words: list[tuple[int, str, float]] = []
        for item in sorted(found, key=lambda item: item[2], reverse=True):
            if all(abs(item[0] - other[0]) >= self.spacing for other in words):
                words.append(item)
            if len(words) == length:
                break
        return "".join(label for _, label, _ in sorted(words))


def success_rate(solver: TemplateSolver, samples) -> float:
    """Share of (answer, wav) pairs the solver reads exactly."""
    samples = list(samples)
    right = sum(solver.solve(wav, len(answer)) == answer for answer, wav in samples)
    return right / len(samples)
