package io.arborcast.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The demo's source: a WAV stream (8 kHz, 16-bit mono = 128 kbit/s) that needs no encoder.
 * A short tune of tones, one per half second, so a listener hears at once if anything is
 * skipped or repeated. The RIFF header gives unknown (maximum) sizes, as streaming WAV does.
 */
final class TestSignal {
    static final int RATE = 8_000;
    static final int BYTES_PER_SECOND = RATE * 2;
    static final String CONTENT_TYPE = "audio/wav";
    private static final double[] NOTES = {440.0, 493.88, 554.37, 587.33, 659.25, 587.33, 554.37, 493.88};
    private long sample;

    /** The 44-byte header of an endless 8 kHz 16-bit mono PCM WAV stream. */
    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(0xFFFFFFFF).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE)
                .putInt(BYTES_PER_SECOND).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(0xFFFFFFFF);
        return b.array();
    }

    /** The next {@code samples} samples as little-endian PCM. */
    byte[] next(int samples) {
        ByteBuffer b = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++, sample++) {
            double note = NOTES[(int) (sample / (RATE / 2) % NOTES.length)];
            double inNote = (sample % (RATE / 2)) / (double) (RATE / 2);
            double envelope = Math.min(1.0, Math.min(inNote * 20, (1 - inNote) * 10));
            double v = Math.sin(2 * Math.PI * note * sample / RATE) * envelope * 0.3;
            b.putShort((short) Math.round(v * Short.MAX_VALUE));
        }
        return b.array();
    }
}
