package io.arborcast.stream;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Finds the stream head at the start of a source's bytes: what a decoder needs before any
 * data, and what every listener must get first however late it tunes in. Ogg: the codec
 * header pages; WAV: the RIFF header up to the start of the sample data; Matroska and WebM:
 * everything before the first cluster ({@link Matroska#headLength}); MPEG-TS: the packets
 * through the first PMT ({@link MpegTs#headLength}); FLV: its header, metadata and sequence
 * headers ({@link Flv#headLength}); MP3 and raw streams have none. Video
 * formats also say which chunks a player may start with ({@link #startsAtKeyframes}).
 */
public final class StreamHeads {
    /** A head longer than this is not a head: the bytes are passed on as data. */
    public static final int MAX_HEAD_BYTES = 65_536;

    private StreamHeads() {
    }

    /** Whether streams of {@code contentType} start with a head. */
    public static boolean hasHead(String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        return isOgg(ct) || isWav(ct) || startsAtKeyframes(ct);
    }

    /**
     * Length of the head at the start of {@code buf[0, len)}: n > 0 once complete, 0 if these
     * bytes have no head (not this format after all), -1 if more bytes are needed.
     */
    public static int headLength(String contentType, byte[] buf, int len) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (isOgg(ct)) {
            return OggPages.headLength(buf, len);
        }
        if (isWav(ct)) {
            return wavHeadLength(buf, len);
        }
        if (Matroska.isMatroska(ct)) {
            return Matroska.headLength(buf, len);
        }
        if (MpegTs.isTransportStream(ct)) {
            return MpegTs.headLength(buf, len);
        }
        if (Flv.isFlv(ct)) {
            return Flv.headLength(buf, len);
        }
        return 0;
    }

    /**
     * What a player that is playing gets when the head of {@code contentType}'s stream changes
     * to {@code head}: the whole head (a chained Ogg stream's new headers, a new PAT and PMT), or
     * for FLV the head's tags only.
     */
    public static byte[] headAgain(String contentType, byte[] head) {
        return contentType != null && Flv.isFlv(contentType) ? Flv.headAgain(head) : head;
    }

    /** Whether a player of {@code contentType} must start at a keyframe (Matroska/WebM, MPEG-TS, FLV), not at any chunk. */
    public static boolean startsAtKeyframes(String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        return Matroska.isMatroska(ct) || MpegTs.isTransportStream(ct) || Flv.isFlv(ct);
    }

    /**
     * For a stream of {@code contentType} whose head is {@code head} (null: none yet): which chunk
     * payloads a player may start with (in video, those a keyframe begins; see
     * {@link #startsAtKeyframes}; any other format, every one).
     */
    public static Predicate<byte[]> playerStarts(String contentType, byte[] head) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        byte[] h = head == null ? new byte[0] : head;
        if (Matroska.isMatroska(ct)) {
            long track = Matroska.videoTrack(h);
            return chunk -> Matroska.decodableStart(chunk, track);
        }
        if (MpegTs.isTransportStream(ct)) {
            int pid = MpegTs.videoPid(h);
            return chunk -> MpegTs.decodableStart(chunk, pid);
        }
        if (Flv.isFlv(ct)) {
            boolean video = Flv.hasVideo(h);
            return chunk -> Flv.decodableStart(chunk, video);
        }
        return chunk -> true;
    }

    private static boolean isOgg(String ct) {
        return ct.contains("ogg") || ct.contains("opus");
    }

    private static boolean isWav(String ct) {
        return ct.contains("wav");
    }

    /** RIFF/WAVE: the chunks before "data", and the "data" chunk's own 8-byte header. */
    static int wavHeadLength(byte[] buf, int len) {
        if (len < 12) {
            return -1;
        }
        if (!tag(buf, 0, "RIFF") || !tag(buf, 8, "WAVE")) {
            return 0;
        }
        int p = 12;
        while (p + 8 <= len) {
            if (tag(buf, p, "data")) {
                return p + 8;
            }
            long size = (buf[p + 4] & 0xffL) | (buf[p + 5] & 0xffL) << 8 | (buf[p + 6] & 0xffL) << 16
                    | (buf[p + 7] & 0xffL) << 24;
            long next = p + 8 + size + (size & 1);
            if (next > MAX_HEAD_BYTES) {
                return 0;
            }
            p = (int) next;
        }
        return -1;
    }

    private static boolean tag(byte[] buf, int at, String t) {
        byte[] b = t.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 4; i++) {
            if (buf[at + i] != b[i]) {
                return false;
            }
        }
        return true;
    }
}
