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

    /**
     * The chunker cut the first {@code n} bytes it last asked {@link #completeLength} about: the
     * length that returned, or more (a frame larger than a chunk, cut where the chunk was full),
     * for splitters that must know where the next bytes stand within a frame.
     */
    default void consumed(int n) {
    }

    /** The input ended (what was left of it is dropped): the next bytes start afresh. */
    default void reset() {
    }

    /** The splitter for a content type: audio/mpeg → MP3 frames; Ogg types → Ogg pages; WebM and Matroska → EBML elements; MPEG-TS → packets; FLV → tags; else raw bytes. */
    static FrameSplitter forContentType(String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        if (ct.startsWith("audio/mpeg") || ct.startsWith("audio/mp3")) {
            return new Mp3Frames();
        }
        if (ct.contains("ogg") || ct.contains("opus")) {
            return new OggPages();
        }
        if (Matroska.isMatroska(ct)) {
            return new Matroska();
        }
        if (MpegTs.isTransportStream(ct)) {
            return new MpegTs();
        }
        if (Flv.isFlv(ct)) {
            return new Flv();
        }
        return (buf, len) -> len;
    }
}
