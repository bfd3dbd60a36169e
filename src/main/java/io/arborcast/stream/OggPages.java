package io.arborcast.stream;

/**
 * Ogg page boundaries: a page is the capture pattern {@code OggS}, a 27-byte header whose
 * last byte counts the segment table entries, the segment table, and the sum of the segment
 * lengths. Also tells header pages (granule position 0 at the stream's start: Vorbis and
 * Opus headers) from audio pages, for the stream head.
 */
public final class OggPages implements FrameSplitter {
    private static final int HEADER = 27;

    /** Length of the page starting at {@code p}, -1 if none starts there, 0 if it is not complete in {@code len}. */
    static int pageLength(byte[] b, int p, int len) {
        if (p + 4 > len) {
            return 0;
        }
        if (b[p] != 'O' || b[p + 1] != 'g' || b[p + 2] != 'g' || b[p + 3] != 'S') {
            return -1;
        }
        if (p + HEADER > len) {
            return 0;
        }
        if (b[p + 4] != 0) {
            return -1; // stream structure version must be 0
        }
        int segments = b[p + 26] & 0xFF;
        if (p + HEADER + segments > len) {
            return 0;
        }
        int body = 0;
        for (int i = 0; i < segments; i++) {
            body += b[p + HEADER + i] & 0xFF;
        }
        int total = HEADER + segments + body;
        return p + total > len ? 0 : total;
    }

    /** The page's granule position (bytes 6..13, little-endian). */
    static long granule(byte[] b, int p) {
        long g = 0;
        for (int i = 7; i >= 0; i--) {
            g = (g << 8) | (b[p + 6 + i] & 0xFF);
        }
        return g;
    }

    @Override
    public int completeLength(byte[] buf, int len) {
        int p = 0;
        int end = 0;
        while (p < len) {
            int plen = pageLength(buf, p, len);
            if (plen < 0) {
                p++;
                end = p;
                continue;
            }
            if (plen == 0) {
                break;
            }
            p += plen;
            end = p;
        }
        return end;
    }

    /**
     * Length of the stream head at the start of {@code buf}: the leading complete pages with
     * granule position 0 (the codec's header packets), or -1 if the head may not be complete yet.
     */
    public static int headLength(byte[] buf, int len) {
        int p = 0;
        while (true) {
            int plen = pageLength(buf, p, len);
            if (plen <= 0) {
                return plen < 0 ? p : -1;
            }
            if (granule(buf, p) != 0) {
                return p;
            }
            p += plen;
        }
    }
}
