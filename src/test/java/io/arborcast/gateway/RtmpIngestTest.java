package io.arborcast.gateway;

import io.arborcast.stream.Flv;
import io.arborcast.stream.MalformedStreamException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RTMP ingest state machine driven with the bytes a publishing client sends (built here
 * as ffmpeg's and OBS's RTMP writers build them), no sockets: what it answers, the FLV stream
 * it makes, and the bounds it keeps. GatewayEndToEndTest pushes real ffmpeg over RTMP.
 */
class RtmpIngestTest {
    private static final int AUDIO_CSID = 4, VIDEO_CSID = 6, DATA_CSID = 5, COMMAND_CSID = 3, CONTROL_CSID = 2;

    /** A sink that takes the key "hackme" only, and keeps what it was handed. */
    private static final class Recorder implements RtmpIngest.Sink {
        final List<String> asked = new ArrayList<>();
        final ByteArrayOutputStream flv = new ByteArrayOutputStream();
        Map<String, Object> metadata;

        @Override
        public String publish(String app, String key) {
            asked.add(app + "/" + key);
            return key.equals("hackme") ? null : "wrong stream key";
        }

        @Override
        public void start(Map<String, Object> m) {
            metadata = m;
        }

        @Override
        public void flv(byte[] bytes) {
            flv.writeBytes(bytes);
        }
    }

    /** What a client writes: the handshake, then messages cut into chunks of its chunk size. */
    static final class Client {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int chunkSize = 128;

        Client handshake() {
            out.write(3);
            out.writeBytes(new byte[2 * RtmpIngest.HANDSHAKE]); // C1, and C2 (its echo of S1 is not checked)
            return this;
        }

        /** One message whose first chunk has header type {@code fmt} (its timestamp field {@code ts}). */
        Client message(int fmt, int csid, long ts, int type, int streamId, byte[] payload) {
            boolean extended = ts >= 0xFFFFFF;
            for (int i = 0; i == 0 || i < payload.length; i += chunkSize) {
                int f = i == 0 ? fmt : 3;
                if (csid < 64) {
                    out.write(f << 6 | csid);
                } else {
                    out.write(f << 6);
                    out.write(csid - 64);
                }
                if (f < 3) {
                    u24(extended ? 0xFFFFFF : ts);
                }
                if (f < 2) {
                    u24(payload.length);
                    out.write(type);
                }
                if (f == 0) {
                    out.writeBytes(new byte[]{(byte) streamId, 0, 0, 0});
                }
                if (extended) {
                    out.writeBytes(u32(ts));
                }
                out.write(payload, i, Math.min(chunkSize, payload.length - i));
            }
            return this;
        }

        Client command(Object... values) {
            return message(0, COMMAND_CSID, 0, 20, 0, amf(values));
        }

        Client setChunkSize(int size) {
            message(0, CONTROL_CSID, 0, 1, 0, u32(size));
            chunkSize = size;
            return this;
        }

        Client publish(String key) {
            return handshake().command("connect", 1, Map.of("app", "live", "type", "nonprivate"))
                    .command("releaseStream", 2, null, key).command("FCPublish", 3, null, key)
                    .command("createStream", 4, null).message(0, 8, 0, 20, 1, amf("publish", 5, null, key, "live"));
        }

        private void u24(long v) {
            out.write((int) (v >> 16));
            out.write((int) (v >> 8));
            out.write((int) v);
        }

        byte[] bytes() {
            byte[] b = out.toByteArray();
            out.reset();
            return b;
        }
    }

    static byte[] amf(Object... values) {
        Amf0.Writer w = new Amf0.Writer();
        for (Object v : values) {
            w.value(v);
        }
        return w.bytes();
    }

    private static byte[] u32(long v) {
        return new byte[]{(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] frame(int first, int second, int size) {
        byte[] f = new byte[size];
        f[0] = (byte) first;
        f[1] = (byte) second;
        for (int i = 2; i < size; i++) {
            f[i] = (byte) i;
        }
        return f;
    }

    /** The FLV tags after the 13-byte header: type, timestamp and data size of each. */
    private static List<long[]> tags(byte[] flv) {
        List<long[]> tags = new ArrayList<>();
        for (int p = 13; p < flv.length; ) {
            int size = (flv[p + 1] & 0xff) << 16 | (flv[p + 2] & 0xff) << 8 | flv[p + 3] & 0xff;
            long ts = (flv[p + 7] & 0xffL) << 24 | (flv[p + 4] & 0xff) << 16 | (flv[p + 5] & 0xff) << 8 | flv[p + 6] & 0xff;
            tags.add(new long[]{flv[p], ts, size});
            long prev = (flv[p + 11 + size] & 0xffL) << 24 | (flv[p + 12 + size] & 0xff) << 16
                    | (flv[p + 13 + size] & 0xff) << 8 | flv[p + 14 + size] & 0xff;
            assertThat(prev).as("previous-tag size").isEqualTo(11 + size);
            p += 11 + size + 4;
        }
        return tags;
    }

    @Test
    void aPublishAsFfmpegSendsItBecomesAnFlvStreamThatStartsOnItsHead() {
        Recorder sink = new Recorder();
        RtmpIngest ingest = new RtmpIngest(sink);
        Client client = new Client();
        ingest.receive(client.handshake().bytes(), 0, 1 + 2 * RtmpIngest.HANDSHAKE);
        byte[] handshake = ingest.replies();
        assertThat(handshake).hasSize(1 + 2 * RtmpIngest.HANDSHAKE);
        assertThat(handshake[0]).isEqualTo((byte) 3);

        // the rest of the publish arrives a byte at a time: every chunk is read across reads
        byte[] rest = client.command("connect", 1, Map.of("app", "live")).command("createStream", 4, null)
                .message(0, 8, 0, 20, 1, amf("publish", 5, null, "hackme", "live")).bytes();
        for (int i = 0; i < rest.length; i++) {
            ingest.receive(rest, i, 1);
        }
        String replies = text(ingest.replies());
        assertThat(replies).contains("NetConnection.Connect.Success").contains("NetStream.Publish.Start");
        assertThat(sink.asked).containsExactly("live/hackme");
        assertThat(ingest.publishing()).isTrue();

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("videocodecid", 7.0);
        meta.put("audiocodecid", 10.0);
        meta.put("videodatarate", 585.9);
        meta.put("audiodatarate", 62.5);
        byte[] keyframe = frame(0x17, 1, 10_000);
        client.setChunkSize(4096)
                .message(0, DATA_CSID, 0, 18, 1, amf("@setDataFrame", "onMetaData", meta))
                .message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 0, 40)) // AVC sequence header
                .message(0, AUDIO_CSID, 0, 8, 1, frame(0xaf, 0, 5)) // AAC sequence header
                .message(0, VIDEO_CSID, 40, 9, 1, keyframe)
                .message(1, AUDIO_CSID, 23, 8, 1, frame(0xaf, 1, 300)) // delta 23: at 23
                .message(2, AUDIO_CSID, 23, 8, 1, frame(0xaf, 1, 300)) // at 46
                .message(3, AUDIO_CSID, 0, 8, 1, frame(0xaf, 1, 300)) // the same delta again: at 69
                .message(1, VIDEO_CSID, 40, 9, 1, frame(0x27, 1, 900)); // an inter frame at 80
        byte[] media = client.bytes();
        ingest.receive(media, 0, media.length);

        assertThat(RtmpIngest.bitrateKbps(sink.metadata)).isEqualTo(648);
        byte[] flv = sink.flv.toByteArray();
        assertThat(flv[4]).as("header flags: audio and video").isEqualTo((byte) 5);
        List<long[]> tags = tags(flv);
        assertThat(tags).extracting(t -> t[0] + "@" + t[1]).containsExactly("18@0", "9@0", "8@0", "9@40", "8@23", "8@46",
                "8@69", "9@80");
        assertThat(tags.get(0)[2]).as("@setDataFrame dropped, as FLV files have it")
                .isEqualTo(amf("onMetaData", meta).length);
        int head = Flv.headLength(flv, flv.length);
        assertThat(head).as("header, metadata and both sequence headers").isEqualTo(13 + 3 * 15 + tags.get(0)[2] + 40 + 5);
        assertThat(Flv.decodableStart(java.util.Arrays.copyOfRange(flv, head, flv.length), true))
                .as("the first tag after the head is the keyframe").isTrue();
        assertThat(tags.get(3)[2]).isEqualTo(keyframe.length);
    }

    @Test
    void aWrongKeyGetsAnErrorStatusAndPublishesNothing() {
        Recorder sink = new Recorder();
        RtmpIngest ingest = new RtmpIngest(sink);
        byte[] in = new Client().publish("guess").message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 1, 100)).bytes();
        ingest.receive(in, 0, in.length);
        assertThat(text(ingest.replies())).contains("NetStream.Publish.BadName").contains("wrong stream key")
                .doesNotContain("NetStream.Publish.Start");
        assertThat(ingest.ended()).isTrue();
        assertThat(sink.flv.size()).isZero();
        assertThat(sink.metadata).isNull();
    }

    @Test
    void timestampsPastTwentyFourBitsTravelInTheExtendedField() {
        Recorder sink = new Recorder();
        RtmpIngest ingest = new RtmpIngest(sink);
        long late = 0x1_2345_67L; // 5.3 hours into a stream
        byte[] in = new Client().publish("hackme").message(0, VIDEO_CSID, late, 9, 1, frame(0x17, 1, 1000)).bytes();
        ingest.receive(in, 0, in.length);
        List<long[]> tags = tags(sink.flv.toByteArray());
        assertThat(tags).hasSize(1);
        assertThat(tags.get(0)[1]).isEqualTo(late);
        assertThat(tags.get(0)[2]).isEqualTo(1000);
    }

    @Test
    void whatTheClientSentIsAcknowledgedEachWindow() {
        RtmpIngest ingest = new RtmpIngest(new Recorder());
        Client client = new Client().publish("hackme");
        client.message(0, CONTROL_CSID, 0, 5, 0, u32(5000));
        byte[] in = client.message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 1, 6000)).bytes();
        ingest.receive(in, 0, in.length);
        byte[] ackHeader = {CONTROL_CSID, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0};
        String replies = text(ingest.replies());
        assertThat(replies).contains(text(ackHeader) + text(u32(in.length)));
    }

    @Test
    void whatWouldMakeItHoldMemoryOrBreakTheProtocolIsRefused() {
        Client big = new Client().publish("hackme");
        big.message(0, VIDEO_CSID, 0, 9, 1, new byte[0]);
        byte[] header = {VIDEO_CSID, 0, 0, 0, (byte) 0x90, 0, 0, 9, 1, 0, 0, 0}; // 9 MiB announced
        assertRefused(concat(big.bytes(), header), "a message of 9437184 bytes");
        Client many = new Client().publish("hackme");
        for (int csid = 10; csid < 10 + RtmpIngest.MAX_CHUNK_STREAMS; csid++) {
            many.message(0, csid, 0, 9, 1, new byte[]{0x17});
        }
        assertRefused(many.bytes(), "more than 64 chunk streams");
        assertRefused(new Client().handshake().message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 1, 10)).bytes(),
                "audio or video before publish");
        byte[] rtmpe = new Client().handshake().bytes();
        rtmpe[0] = 6;
        assertRefused(rtmpe, "version 6");
        Client interrupted = new Client().publish("hackme");
        byte[] started = interrupted.message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 1, 1000)).bytes();
        byte[] cut = java.util.Arrays.copyOf(started, started.length - (1000 + 7) + 128); // its first chunk of 8
        assertRefused(concat(cut, interrupted.message(0, VIDEO_CSID, 0, 9, 1, frame(0x17, 1, 10)).bytes()),
                "starts a new message before its message of 1000 bytes ended");
        assertRefused(new Client().publish("hackme").message(0, COMMAND_CSID, 0, 20, 0, new byte[]{3, 0, 0})
                .bytes(), "malformed AMF0");
    }

    /** {@code bytes} get a MalformedStreamException saying {@code why}. */
    private static void assertRefused(byte[] bytes, String why) {
        RtmpIngest ingest = new RtmpIngest(new Recorder());
        assertThatThrownBy(() -> ingest.receive(bytes, 0, bytes.length)).isInstanceOf(MalformedStreamException.class)
                .hasMessageContaining(why);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
