package io.arborcast.stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a source client sends, the frame splitters cut it without failing or reading out
 * of bounds, and the part they call complete is a prefix of what they were given.
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

    private static void check(FrameSplitter splitter, byte[] stream) {
        int n = splitter.completeLength(stream, stream.length);
        assertThat(n).isBetween(0, stream.length);
        assertThat(splitter.completeLength(stream, n)).isBetween(0, n);
    }
}
