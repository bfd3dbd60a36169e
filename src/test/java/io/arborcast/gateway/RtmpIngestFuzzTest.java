package io.arborcast.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.arborcast.stream.MalformedStreamException;

import java.io.ByteArrayOutputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever an RTMP client sends, the ingest either refuses it as malformed (RTMP or AMF0) or
 * goes on, and the FLV it hands on is always well formed: the header, then whole audio, video
 * and script tags, each followed by its size.
 */
class RtmpIngestFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void rtmpIngest(FuzzedDataProvider data) {
        ByteArrayOutputStream flv = new ByteArrayOutputStream();
        RtmpIngest ingest = new RtmpIngest(new RtmpIngest.Sink() {
            @Override
            public String publish(String app, String key) {
                return key.equals("hackme") ? null : "wrong stream key";
            }

            @Override
            public void start(Map<String, Object> metadata) {
                RtmpIngest.bitrateKbps(metadata);
            }

            @Override
            public void flv(byte[] bytes) {
                flv.writeBytes(bytes);
            }
        });
        // half the time past the handshake and a publish, so the fuzz reaches the media path
        byte[] start = data.consumeBoolean() ? new RtmpIngestTest.Client().publish("hackme").bytes() : new byte[0];
        byte[] fuzz = data.consumeRemainingAsBytes();
        byte[] in = java.util.Arrays.copyOf(start, start.length + fuzz.length);
        System.arraycopy(fuzz, 0, in, start.length, fuzz.length);
        int split = in.length == 0 ? 0 : Math.floorMod(in.length * 31 + fuzz.length, in.length);
        try {
            ingest.receive(in, 0, split);
            ingest.receive(in, split, in.length - split);
        } catch (MalformedStreamException refused) {
            assertThat(refused.getMessage()).matches("malformed (RTMP|AMF0).*");
        }
        ingest.replies();
        assertWellFormed(flv.toByteArray());
    }

    private static void assertWellFormed(byte[] flv) {
        if (flv.length == 0) {
            return;
        }
        assertThat(new String(flv, 0, 3, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("FLV");
        int p = 13;
        while (p < flv.length) {
            assertThat(flv[p]).isIn((byte) 8, (byte) 9, (byte) 18);
            int size = (flv[p + 1] & 0xff) << 16 | (flv[p + 2] & 0xff) << 8 | flv[p + 3] & 0xff;
            int end = p + 11 + size;
            assertThat(((flv[end] & 0xff) << 24 | (flv[end + 1] & 0xff) << 16 | (flv[end + 2] & 0xff) << 8
                    | flv[end + 3] & 0xff)).isEqualTo(11 + size);
            p = end + 4;
        }
        assertThat(p).isEqualTo(flv.length);
    }
}
