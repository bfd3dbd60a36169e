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

    @FuzzTest(maxDuration = "5s")
    void matroska(FuzzedDataProvider data) {
        // a cluster's ID often enough for the fuzzer to get into one
        byte[] cluster = {0x1F, 0x43, (byte) 0xB6, 0x75};
        byte[] rest = data.consumeBytes(data.consumeInt(0, 4096));
        byte[] stream = data.consumeBoolean() ? concat(cluster, rest) : rest;
        try {
            check(new Matroska(), stream);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed Matroska/WebM");
        }
        try {
            int head = Matroska.headLength(stream, stream.length);
            assertThat(head).isBetween(-1, stream.length);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed Matroska/WebM");
        }
        Matroska.decodableStart(stream, data.consumeLong(-1, 4));
        Matroska.videoTrack(stream);
    }

    @FuzzTest(maxDuration = "5s")
    void mpegTs(FuzzedDataProvider data) {
        // packets that start with the sync byte often enough for the fuzzer to get into them
        byte[] stream = data.consumeRemainingAsBytes();
        if (stream.length > 0 && stream[0] % 2 == 0) {
            for (int p = 0; p < stream.length; p += 188) {
                stream[p] = 0x47;
            }
        }
        try {
            check(new MpegTs(), stream);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed MPEG-TS");
        }
        try {
            assertThat(MpegTs.headLength(stream, stream.length)).isBetween(-1, stream.length);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed MPEG-TS");
        }
        MpegTs.decodableStart(stream, MpegTs.videoPid(stream));
    }

    @FuzzTest(maxDuration = "5s")
    void flv(FuzzedDataProvider data) {
        // an FLV header often enough for the fuzzer to get past it
        byte[] header = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
        byte[] rest = data.consumeBytes(data.consumeInt(0, 4096));
        byte[] stream = data.consumeBoolean() ? concat(header, rest) : rest;
        try {
            check(new Flv(), stream);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed FLV");
        }
        try {
            assertThat(Flv.headLength(stream, stream.length)).isBetween(-1, stream.length);
        } catch (MalformedStreamException refused) {
            assertThat(refused).hasMessageStartingWith("malformed FLV");
        }
        Flv.decodableStart(stream, Flv.hasVideo(stream));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void check(FrameSplitter splitter, byte[] stream) {
        int n = splitter.completeLength(stream, stream.length);
        assertThat(n).isBetween(0, stream.length);
        assertThat(splitter.completeLength(stream, n)).isBetween(0, n);
    }
}
