package io.arborcast.stream;

/**
 * MPEG audio (MP1/2/3, MPEG-1/2/2.5) frame boundaries, from the 4-byte frame header:
 * sync, version, layer, bitrate index, sample-rate index and padding give the frame length.
 * A candidate header counts only if the next frame's header follows where it says it ends,
 * so sync bytes inside audio data or ID3 tags are not mistaken for frames.
 */
public final class Mp3Frames implements FrameSplitter {
    private static final int[][] BITRATES = { // kbit/s: [V1 L1, V1 L2, V1 L3, V2 L1, V2 L2/L3][index]
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, -1},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, -1},
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, -1},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}};
    private static final int[][] RATES = {{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}};

    /** Length of the frame whose header starts at {@code p}, or -1 if it is no valid header. */
    static int frameLength(byte[] b, int p) {
        int h1 = b[p] & 0xFF;
        int h2 = b[p + 1] & 0xFF;
        int h3 = b[p + 2] & 0xFF;
        if (h1 != 0xFF || (h2 & 0xE0) != 0xE0) {
            return -1;
        }
        int version = (h2 >> 3) & 3; // 0 = 2.5, 1 = reserved, 2 = 2, 3 = 1
        int layer = (h2 >> 1) & 3;   // 1 = III, 2 = II, 3 = I, 0 = reserved
        int bitrateIndex = h3 >> 4;
        int rateIndex = (h3 >> 2) & 3;
        int padding = (h3 >> 1) & 1;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return -1;
        }
        boolean v1 = version == 3;
        int table = v1 ? 3 - layer : (layer == 3 ? 3 : 4);
        int kbps = BITRATES[table][bitrateIndex];
        int rate = RATES[version][rateIndex];
        if (layer == 3) { // Layer I: 4-byte slots
            return (12 * kbps * 1000 / rate + padding) * 4;
        }
        int samplesFactor = (layer == 1 && !v1) ? 72 : 144; // Layer III in MPEG-2/2.5 has 576 samples
        return samplesFactor * kbps * 1000 / rate + padding;
    }

    /**
     * Length of the ID3v2 tag at {@code off} (header, body and footer), or 0 if none starts there
     * (or fewer than its 10 header bytes are given). Encoders write one at the start of a stream;
     * in the middle of one (a source that returns, another that takes over) a decoder finds no
     * frame header there, so the source drops it.
     */
    public static int id3Length(byte[] b, int off, int len) {
        if (len < 10 || b[off] != 'I' || b[off + 1] != 'D' || b[off + 2] != '3') {
            return 0;
        }
        int size = 0;
        for (int i = 6; i < 10; i++) {
            if ((b[off + i] & 0x80) != 0) {
                return 0; // sizes are synchsafe: 7 bits a byte
            }
            size = size << 7 | b[off + i];
        }
        boolean footer = (b[off + 5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    @Override
    public int completeLength(byte[] buf, int len) {
        int p = 0;
        int end = 0;
        while (p + 4 <= len) {
            int flen = frameLength(buf, p);
            if (flen < 4) {
                p++;        // not a header: skip a byte (garbage before the first frame)
                end = p;
                continue;
            }
            if (p + flen > len) {
                break;      // incomplete frame: keep for the next chunk
            }
            if (p + flen + 4 <= len && frameLength(buf, p + flen) < 4) {
                p++;        // the next frame is not where this header says: a false sync
                end = p;
                continue;
            }
            p += flen;
            end = p;
        }
        return end;
    }
}
