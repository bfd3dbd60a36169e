package io.arborcast.stream;

/**
 * Finds where complete frames end in a byte stream, so chunks start on a frame a decoder can
 * begin with: MP3 frames, Ogg pages, or anywhere for formats without frames.
 */
public interface FrameSplitter {
    /**
     * Length of the complete frames at the start of {@code buf[0, len)}: a prefix that ends on a
     * frame boundary (0 if no complete frame yet). Bytes before the first frame sync (garbage,
     * or a stream joined mid-frame) count as consumed so they are dropped.
     */
    int completeLength(byte[] buf, int len);

    /** The splitter for a content type: audio/mpeg → MP3 frames; Ogg types → Ogg pages; else raw bytes. */
    static FrameSplitter forContentType(String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        if (ct.startsWith("audio/mpeg") || ct.startsWith("audio/mp3")) {
            return new Mp3Frames();
        }
        if (ct.contains("ogg") || ct.contains("opus")) {
            return new OggPages();
        }
        return (buf, len) -> len;
    }
}
