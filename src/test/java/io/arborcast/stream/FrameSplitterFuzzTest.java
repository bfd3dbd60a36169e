package io.arborcast.stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a source client sends, the frame splitters cut it without failing or reading out
 * of bounds, and the part they call complete is a prefix of what they were given; the video
 * splitters may instead refuse it as malformed, and nothing else.
 */
class FrameSplitterFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void mp3(byte[] stream) {
        check(new Mp3Frames(), stream);
    }

    @FuzzTest(maxDuration = "5s")
    void ogg(FuzzedDataProvider data) {
        // a valid capture pattern often enough for the fuzzer to get past it
        byte[] stream = data.consumeBoolean() ? ("OggS\0" + data.consumeRemainingAsAsciiString()).getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1) : data.consumeRemainingAsBytes();
        check(new OggPages(), stream);
    }

    /**
     * The three video splitters in one target (Jazzer fuzzes one per JVM): the first byte picks
     * Matroska, MPEG-TS or FLV, and the stream often starts as that format does, so the fuzzer
     * gets past the first check.
     */
    @FuzzTest(maxDuration = "5s")
    void video(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0 -> {
                byte[] cluster = {0x1F, 0x43, (byte) 0xB6, 0x75};
                byte[] stream = startingWith(data, cluster);
                checkVideo(new Matroska(), stream, "video/webm", "malformed Matroska/WebM");
                Matroska.decodableStart(stream, Matroska.videoTrack(stream));
            }
            case 1 -> {
                byte[] stream = data.consumeRemainingAsBytes();
                if (stream.length > 0 && stream[0] % 2 == 0) { // packets that start with the sync byte
                    for (int p = 0; p < stream.length; p += 188) {
                        stream[p] = 0x47;
                    }
                }
                checkVideo(new MpegTs(), stream, "video/mp2t", "malformed MPEG-TS");
                MpegTs.decodableStart(stream, MpegTs.videoPid(stream));
            }
            default -> {
                byte[] header = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
                byte[] stream = startingWith(data, header);
                checkVideo(new Flv(), stream, "video/x-flv", "malformed FLV");
                Flv.decodableStart(stream, Flv.hasVideo(stream));
            }
        }
    }

    /** Up to 4 KB of fuzz, after {@code start} half the time. */
    private static byte[] startingWith(FuzzedDataProvider data, byte[] start) {
        boolean prefixed = data.consumeBoolean();
        byte[] rest = data.consumeBytes(data.consumeInt(0, 4096));
        return prefixed ? concat(start, rest) : rest;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** As {@link #check}, and the head found as {@code contentType}'s; either may refuse the stream, saying {@code refusal}. */
    private static void checkVideo(FrameSplitter splitter, byte[] stream, String contentType, String refusal) {
        try {
            check(splitter, stream);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith(refusal);
        }
        try {
            assertThat(StreamHeads.headLength(contentType, stream, stream.length)).isBetween(-1, stream.length);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith(refusal);
        }
    }

    private static void check(FrameSplitter splitter, byte[] stream) {
        int n = splitter.completeLength(stream, stream.length);
        assertThat(n).isBetween(0, stream.length);
        assertThat(splitter.completeLength(stream, n)).isBetween(0, n);
    }
}
