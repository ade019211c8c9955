"""The audio captcha: the code read aloud, every word made afresh at each request.

The shipped recordings (``bantin/audio/<language>/<digit>/<n>.wav``, four espeak-ng voices
per digit made by ``scripts/make_captcha_voices.py``) are public, so a renderer that only
mixes them, as the ``captcha`` library's AudioCaptcha did, is read by template matching:
correlating every shipped recording with the audio read 20 codes out of 20. Here each word
is rebuilt at each request by changes a listener takes for another speaker in another room,
but which leave no shipped waveform in the audio (``tests/captcha_solver.py`` is the attack;
``tests/test_captcha_solver.py`` holds it under 5% of codes):

- two voices say each digit together (two of its four recordings, in unison);
- each word has its speed (0.85-1.15, by WSOLA, which keeps the pitch), and each voice a
  pace that varies ±10-15% within the word;
- each voice has its own pitch (±10%), wavering within the word (at most ±5% more:
  Vietnamese tones, which move the pitch by 20% and more, keep their shape);
- its own formants (the vocal tract: ±15%, independent of the pitch) and timbre (±3 dB);
- phases that drift band by band through the word (an all-pass that changes with time:
  the ear hardly hears it, a waveform correlation loses the word);
- pauses of 0.35-0.7 s between words after a short chime;
- pink-ish noise 12-16 dB under the speech: audible, well below it.

Plain numpy, no audioop (deprecated); a code takes about 20 ms of CPU and lasts 4.5-6 s
(5.2 s on average).
Every render draws its own ``numpy.random.Generator`` seeded from ``secrets``, so nothing is
shared between threads and nothing about one render tells anything about the next.
"""

from __future__ import annotations

import io
import secrets
import wave
from functools import cache
from pathlib import Path

import numpy as np

RATE = 8000
VOICE_ROOT = Path(__file__).resolve().parent / "audio"
LANGUAGES = ("vi", "en")

VOICES_PER_WORD = 2  # recordings of the digit said in unison
SPEED = (0.85, 1.15)  # words per unit time, per word
PACE = (0.1, 0.15)  # the speed wavering within a word, around the drawn speed
PITCH = (0.9, 1.1)  # fundamental frequency factor, per voice
WAVER = (0.035, 0.045)  # slow drift of the pitch around it within a word
WAVER_PERIOD = (0.08, 0.2)  # seconds
JITTER = 0.01  # standard deviation of a faster, irregular wobble of the pitch
JITTER_SPAN = 0.01  # seconds over which that wobble is smoothed
MAX_WOBBLE = 0.05  # wavering and wobble together, at most
FORMANT = (0.85, 1.15)  # spectral envelope factor (vocal tract length), per voice
LIFTER = 24  # cepstral coefficients kept as the envelope (the pitch lies above them)
PHASE_KNOT = 100.0  # Hz between the random steps of the phase
MAX_DELAY = 0.004  # largest group delay a step of the phase makes, seconds
PHASE_POINTS = 10  # moments in a word with phases of their own
TILT_DB = 3.0  # timbre: spectral tilt and ripple, at most this many dB
UNISON_DELAY = 0.015  # the second voice starts up to this many seconds late
GAIN = (0.75, 1.0)  # per word
GAP = (0.35, 0.7)  # seconds of pause between words
LEAD = (0.25, 0.5)  # seconds of pause after the opening chime
SNR_DB = (12.0, 16.0)  # speech over noise
PEAK = 0.9  # of full scale


@cache
def voices(language: str) -> dict[str, tuple[np.ndarray, ...]]:
    """The shipped recordings of ``language`` as read-only float arrays, by character."""
    found: dict[str, tuple[np.ndarray, ...]] = {}
    folder = VOICE_ROOT / language
    for char_dir in sorted(p for p in folder.iterdir() if p.is_dir() and len(p.name) == 1):
        recordings = []
        for path in sorted(char_dir.glob("*.wav")):
            samples = read_wav(path.read_bytes())
            samples.flags.writeable = False
            recordings.append(samples)
        if recordings:
            found[char_dir.name] = tuple(recordings)
    return found


def read_wav(data: bytes) -> np.ndarray:
    """Samples of a mono 16-bit WAV at RATE as floats in [-1, 1]."""
    with wave.open(io.BytesIO(data)) as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise ValueError("voices must be 8 kHz mono 16-bit WAV")
        frames = w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0


def write_wav(samples: np.ndarray) -> bytes:
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return buffer.getvalue()


def can_speak(code: str, language: str) -> bool:
    return language in LANGUAGES and bool(code) and all(ch in voices(language) for ch in code)


# ------------------------------------------------------------------ one word


def resample(samples: np.ndarray, factor: float) -> np.ndarray:
    """Linear interpolation; ``factor`` > 1 makes it longer (and lower when played)."""
    length = max(2, round(len(samples) * factor))
    positions = np.linspace(0, len(samples) - 1, length)
    return np.interp(positions, np.arange(len(samples)), samples)


def resample_wavering(samples: np.ndarray, factor: float, rng: np.random.Generator):
    """Resample by ``factor`` with the rate wavering (±WAVER, slow) and wobbling (JITTER).

    Heard, the pitch drifts a few percent around its shifted value within the word, as a
    person's does (espeak-ng's is flat); tones, which move pitch by 20% and more, keep their
    shape. No single resampled recording fits the whole word any more.
    """
    count = max(2, round(len(samples) * factor))
    t = np.arange(count) / RATE
    shape = sum(
        np.sin(2 * np.pi * t / rng.uniform(*WAVER_PERIOD) + rng.uniform(0, 2 * np.pi))
        for _ in range(2)
    )
    shape *= rng.uniform(*WAVER) / (np.max(np.abs(shape)) + 1e-12)
    if JITTER:
        # Faster, irregular wobble: white noise smoothed over JITTER_SPAN seconds.
        span = max(1, round(JITTER_SPAN * RATE))
        wobble = np.convolve(rng.standard_normal(count + span), np.ones(span), "valid")[:count]
        shape += wobble / (np.std(wobble) + 1e-12) * JITTER
    shape = np.clip(shape, -MAX_WOBBLE, MAX_WOBBLE)
    step = (1 + shape) / factor  # input samples per output sample
    positions = np.cumsum(step) - step[0]
    positions = positions[positions <= len(samples) - 1]
    return np.interp(positions, np.arange(len(samples)), samples)


def time_stretch(
    samples: np.ndarray,
    stretch: float,
    rng: np.random.Generator | None = None,
    frame: int = 160,
    tolerance: int = 40,
) -> np.ndarray:
    """WSOLA: ``stretch`` times longer at the same pitch, the pace wavering by ±PACE.

    Hann-windowed frames of 20 ms at a 50% output hop; each frame is taken from near its
    nominal input position, where it best continues the previous one, so the pitch periods
    line up and the voice stays clean. With ``rng``, the pace changes smoothly within the
    word (faster here, slower there, the same length overall), as people speak.
    """
    hop = frame // 2
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / frame)  # periodic Hann
    pad = frame + tolerance
    padded = np.concatenate((np.zeros(pad), samples, np.zeros(pad + frame)))
    count = int(len(samples) * stretch / hop) + 1
    # Input samples consumed per output hop: hop / stretch on average, wavering.
    pace = np.ones(count)
    if rng is not None and count > 1:
        phase = rng.uniform(0, 2 * np.pi)
        cycles = rng.uniform(0.6, 1.4)
        pace += rng.uniform(*PACE) * np.sin(phase + 2 * np.pi * cycles * np.arange(count) / count)
    nominal = np.concatenate(([0.0], np.cumsum(pace[:-1])))
    nominal *= (len(samples) - frame / 2) / max(nominal[-1], 1.0) if count > 1 else 0.0
    out = np.zeros(count * hop + frame)
    previous = pad
    for k in range(count):
        target = pad + round(nominal[k])
        if k == 0:
            position = target
        else:
            follow = padded[previous + hop : previous + hop + frame]
            region = padded[target - tolerance : target + tolerance + frame]
            position = target - tolerance + int(np.argmax(np.correlate(region, follow)))
        out[k * hop : k * hop + frame] += padded[position : position + frame] * window
        previous = position
    # The first half frame has only one window on it; the tail is silence anyway.
    return out[hop : hop + round(len(samples) * stretch)]


def _phase_walk(rng: np.random.Generator, bins: int) -> np.ndarray:
    """A random walk over frequency, one step every PHASE_KNOT Hz, bounded by MAX_DELAY.

    A step of s radians over PHASE_KNOT Hz delays that band by s / (2π·PHASE_KNOT) seconds.
    """
    knots = np.arange(0.0, RATE / 2 + PHASE_KNOT, PHASE_KNOT)
    largest = 2 * np.pi * PHASE_KNOT * MAX_DELAY
    walk = np.cumsum(rng.uniform(-largest, largest, len(knots)))
    return np.interp(np.linspace(0.0, RATE / 2, bins), knots, walk)


def revoice(
    samples: np.ndarray,
    formant: float,
    rng: np.random.Generator,
    frame: int = 256,
    hop: int = 64,
) -> np.ndarray:
    """Another speaker's voice, in short-time spectra (32 ms Hann frames, 75% overlap).

    - Formants (vowel colour and vocal tract length) move by ``formant``, the pitch stays:
      each frame's envelope is its cepstrum cut to LIFTER coefficients, and the frame is
      reweighted by that envelope moved along frequency over the one it had.
    - Timbre: a gentle random tilt and ripple, within ±TILT_DB.
    - Phase: every band's phase drifts its own way through the word (a random walk over
      frequency at each of PHASE_POINTS moments, interpolated between them): each harmonic
      of the voice wanders a few hertz, a chorus-like change the ear hardly notices, which
      leaves no stretch of the word in step with a recording for long.
    """
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / frame)  # periodic Hann
    padded = np.concatenate((np.zeros(frame), samples, np.zeros(frame)))
    count = 1 + (len(padded) - frame) // hop
    index = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    spectra = np.fft.rfft(padded[index] * window, axis=1)
    bins = spectra.shape[1]
    cepstra = np.fft.irfft(np.log(np.abs(spectra) + 1e-9), frame, axis=1)
    cepstra[:, LIFTER : frame - LIFTER + 1] = 0.0
    envelope = np.fft.rfft(cepstra, axis=1).real  # natural log of the magnitude
    source = np.clip(np.arange(bins) / formant, 0, bins - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, bins - 1)
    frac = source - low
    moved = envelope[:, low] * (1 - frac) + envelope[:, high] * frac
    position = np.linspace(0.0, 1.0, bins)
    tilt_db = sum(
        rng.uniform(-1, 1) * np.cos(np.pi * k * position + rng.uniform(0, np.pi)) for k in (1, 2)
    )
    walks = np.stack([_phase_walk(rng, bins) for _ in range(PHASE_POINTS)])
    when = np.linspace(0.0, PHASE_POINTS - 1, count)
    first = np.minimum(np.floor(when).astype(int), PHASE_POINTS - 2)
    share = (when - first)[:, None]
    phase = walks[first] * (1 - share) + walks[first + 1] * share
    gain = np.exp(moved - envelope) * 10 ** (tilt_db * TILT_DB / 40)
    frames = np.fft.irfft(spectra * gain * np.exp(1j * phase), frame, axis=1) * window
    out = np.zeros(len(padded))
    np.add.at(out, index, frames)
    out /= np.sum(window**2) / hop  # the windows' overlap (1.5 for Hann at 75%)
    return out[frame // 2 : frame + len(samples) + frame // 2]


def voice(recording: np.ndarray, rng: np.random.Generator, length: int) -> np.ndarray:
    """One voice saying a recording's word in ``length`` samples, with its own pitch,
    pace, formants, timbre and phases."""
    pitch = rng.uniform(*PITCH)
    shifted = resample_wavering(recording, 1 / pitch, rng)  # pitch × p, duration ÷ p
    stretched = time_stretch(shifted, length / len(shifted), rng)
    # Resampling moved the formants with the pitch; put them where this voice has them.
    return revoice(stretched, rng.uniform(*FORMANT) / pitch, rng)


def word(recordings: tuple[np.ndarray, ...], rng: np.random.Generator) -> np.ndarray:
    """One digit said by VOICES_PER_WORD voices in unison, at a drawn speed."""
    chosen = rng.choice(len(recordings), min(VOICES_PER_WORD, len(recordings)), replace=False)
    length = round(len(recordings[chosen[0]]) / rng.uniform(*SPEED))
    delay = round(UNISON_DELAY * RATE)
    out = np.zeros(length + 2 * delay + 512)
    for n, index in enumerate(chosen):
        spoken = voice(recordings[index], rng, length)
        start = 0 if n == 0 else int(rng.integers(0, delay + 1))
        out[start : start + len(spoken)] += spoken / (np.sqrt(np.mean(spoken**2)) + 1e-12)
    out = np.trim_zeros(out, "b")
    return out / (np.max(np.abs(out)) + 1e-12) * rng.uniform(*GAIN)


# ------------------------------------------------------------------ the whole code


def _tone() -> np.ndarray:
    """A short soft two-note chime that says "the code starts now"."""
    t = np.arange(round(0.12 * RATE)) / RATE
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.015)
    notes = [np.sin(2 * np.pi * f * t) * fade * 0.35 for f in (660.0, 880.0)]
    return np.concatenate((notes[0], np.zeros(round(0.05 * RATE)), notes[1]))


def _noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Pink-ish noise: white noise through a random gentle low-pass."""
    white = rng.standard_normal(length + 64)
    alpha = rng.uniform(0.5, 0.85)
    kernel = alpha ** np.arange(64)
    coloured = np.convolve(white, kernel / np.linalg.norm(kernel), mode="valid")[:length]
    return coloured / (np.sqrt(np.mean(coloured**2)) + 1e-12)


def render(code: str, language: str = "vi", rng: np.random.Generator | None = None) -> bytes:
    """The WAV file (8 kHz mono 16-bit) of ``code`` read in ``language``."""
    rng = rng or np.random.default_rng(secrets.randbits(128))
    bank = voices(language)
    parts = [np.zeros(round(0.15 * RATE)), _tone(), np.zeros(round(rng.uniform(*LEAD) * RATE))]
    speech = []
    for index, ch in enumerate(code):
        spoken = word(bank[ch], rng)
        speech.append(spoken)
        parts.append(spoken)
        pause = rng.uniform(*GAP) if index < len(code) - 1 else 0.4
        parts.append(np.zeros(round(pause * RATE)))
    audio = np.concatenate(parts)
    # Noise level against the speech's own level (RMS over the words, not the pauses).
    active = np.concatenate(speech)
    speech_rms = np.sqrt(np.mean(active[np.abs(active) > 0.02] ** 2))
    snr = rng.uniform(*SNR_DB)
    audio = audio + _noise(len(audio), rng) * speech_rms * 10 ** (-snr / 20)
    return write_wav(audio * PEAK / (np.max(np.abs(audio)) + 1e-12))
