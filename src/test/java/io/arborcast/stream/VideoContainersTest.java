package io.arborcast.stream;

import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Video as ffmpeg writes it live (a keyframe a second), cut by the real chunker: WebM (VP9 +
 * Opus; the head is everything before the first cluster, every cluster begins a chunk) and
 * MPEG-TS (H.264 + AAC; the head runs through the first PMT, every keyframe begins a chunk).
 * Keyframes larger than a chunk span several, and a late joiner given the head and the chunks
 * from any chunk a player may start with decodes without an error.
 */
class VideoContainersTest {
    private static final ChannelKey KEY = ChannelKey.generate();
    private final Simulation sim = new Simulation();

    /** A container as the tests use it: ffmpeg's format name, the content type, and the codecs. */
    enum Container {
        WEBM("webm", "video/webm", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k",
                "-g", "25", "-c:a", "libopus", "-b:a", "64k"),
        MPEGTS("mpegts", "video/mp2t", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "600k", "-g", "25",
                "-c:a", "aac", "-b:a", "64k"),
        FLV("flv", "video/x-flv", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "600k", "-g", "25",
                "-c:a", "aac", "-b:a", "64k");

        final String format;
        final String contentType;
        final String[] codecs;

        Container(String format, String contentType, String... codecs) {
            this.format = format;
            this.contentType = contentType;
            this.codecs = codecs;
        }

        byte[] encode(int seconds) throws Exception {
            return Ffmpeg.video(seconds, format, codecs);
        }
    }

    private static byte[] webm(int seconds) throws Exception {
        return Container.WEBM.encode(seconds);
    }

    /** {@code data} from {@code from} on, fed as a source sends it (a tenth of a second's bytes at a time), cut into chunks. */
    private List<Chunk> chunks(String contentType, byte[] data, int from, int maxChunkBytes) {
        List<Chunk> out = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, FrameSplitter.forContentType(contentType), sim, 250, maxChunkBytes, 0,
                out::add);
        int step = Math.max(1, (data.length - from) / 60);
        for (int p = from; p < data.length; p += step) {
            chunker.write(data, p, Math.min(step, data.length - p));
            sim.runUntil(sim.now() + 100);
        }
        sim.runUntil(sim.now() + 1_000);
        chunker.pause();
        return out;
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aLateJoinerGivenTheHeadAndAnyChunkAKeyframeBeginsDecodesFromThere(Container c) throws Exception {
        byte[] video = c.encode(6);
        int head = StreamHeads.headLength(c.contentType, video, video.length);
        assertThat(head).isPositive();
        assertThat(StreamHeads.headLength(c.contentType, video, head - 1)).as("not complete before").isEqualTo(-1);
        byte[] headBytes = Arrays.copyOf(video, head);
        java.util.function.Predicate<byte[]> starts = StreamHeads.playerStarts(c.contentType, headBytes);

        List<Chunk> chunks = chunks(c.contentType, video, head, 16 * 1024); // small chunks: keyframes span several
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.forEach(k -> joined.writeBytes(k.payload()));
        assertThat(joined.toByteArray()).as("every byte after the head, in order").isEqualTo(
                Arrays.copyOfRange(video, head, video.length));
        assertThat(chunks).allMatch(k -> k.payload().length <= 16 * 1024);
        List<Integer> startAt = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            if (starts.test(chunks.get(i).payload())) {
                startAt.add(i);
            }
        }
        assertThat(startAt).as("a keyframe a second").hasSizeBetween(5, 7);
        assertThat(startAt.get(0)).as("the first frame's (FLV: after an audio tag)").isLessThanOrEqualTo(1);
        int total = Ffmpeg.videoFrames(video, c.format);
        assertThat(total).isBetween(149, 151);
        for (int s : startAt.subList(1, startAt.size())) {
            ByteArrayOutputStream late = new ByteArrayOutputStream();
            late.writeBytes(headBytes);
            chunks.subList(s, chunks.size()).forEach(k -> late.writeBytes(k.payload()));
            assertThat(Ffmpeg.decodeErrors(late.toByteArray(), c.format)).as("joined at chunk %d", s).isEmpty();
            ByteArrayOutputStream early = new ByteArrayOutputStream();
            early.writeBytes(headBytes);
            chunks.subList(0, s).forEach(k -> early.writeBytes(k.payload()));
            assertThat(Ffmpeg.videoFrames(late.toByteArray(), c.format) + Ffmpeg.videoFrames(early.toByteArray(),
                    c.format)).as("the frames after the cut and before it: every one of the source's").isEqualTo(total);
        }
        assertThat(starts.test(chunks.get(startAt.get(1) + 1).payload())).as("a chunk after a keyframe's first")
                .isFalse();
    }

    @Test
    void webmHeadEndsWhereTheFirstClusterBegins() throws Exception {
        byte[] webm = webm(1);
        int head = Matroska.headLength(webm, webm.length);
        assertThat(Arrays.copyOfRange(webm, head, head + 4)).containsExactly(0x1F, 0x43, 0xB6, 0x75);
        assertThat(Matroska.videoTrack(Arrays.copyOf(webm, head))).isPositive();
    }

    @Test
    void aTransportStreamThatLosesPacketSyncIsRefused() throws Exception {
        byte[] ts = Container.MPEGTS.encode(1);
        int head = MpegTs.headLength(ts, ts.length);
        assertThat(head % 188).isZero();
        assertThat(MpegTs.videoPid(Arrays.copyOf(ts, head))).isPositive();
        byte[] shifted = Arrays.copyOfRange(ts, head + 1, head + 1 + 188 * 4);
        assertThatThrownBy(() -> new MpegTs().completeLength(shifted, shifted.length))
                .isInstanceOf(MalformedStreamException.class).hasMessageContaining("lost packet sync");
        assertThat(MpegTs.headLength("not a transport stream".getBytes(), 10)).isZero();
    }

    @Test
    void bytesNoMuxerWritesAreRefusedAndDroppedBeforeAnyChunk() throws Exception {
        byte[] webm = webm(1);
        int head = Matroska.headLength(webm, webm.length);
        List<Chunk> out = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, new Matroska(), sim, 250, 64 * 1024, 0, out::add);
        byte[] garbage = {0x00, 0x12, 0x34};
        int whole = new Matroska().completeLength(Arrays.copyOfRange(webm, head, head + 3_000), 3_000);
        assertThat(whole).as("a cluster's first elements").isPositive();
        chunker.write(webm, head, whole);
        assertThatThrownBy(() -> {
            chunker.write(garbage, 0, garbage.length);
            chunker.cut();
        }).isInstanceOf(MalformedStreamException.class).hasMessageContaining("starts no element ID");
        assertThatThrownBy(() -> chunker.write(webm, head, 10)).as("the rest of this input too")
                .isInstanceOf(MalformedStreamException.class);
        sim.runUntil(sim.now() + 1_000);
        assertThat(out).as("what preceded the bad bytes in the same read is dropped too").isEmpty();
        chunker.pause();
        chunker.write(webm, head, webm.length - head); // the next input starts afresh
        sim.runUntil(sim.now() + 1_000);
        assertThat(out).isNotEmpty();

        byte[] absurd = {(byte) 0xA3, 0x08, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> new Matroska().completeLength(absurd, absurd.length))
                .isInstanceOf(MalformedStreamException.class).hasMessageContaining("absurd");
        byte[] unknownBlock = {(byte) 0xA3, (byte) 0xff};
        assertThatThrownBy(() -> new Matroska().completeLength(unknownBlock, unknownBlock.length))
                .isInstanceOf(MalformedStreamException.class).hasMessageContaining("unknown");
        assertThat(Matroska.headLength("not matroska".getBytes(), 12)).as("no EBML header: no head").isZero();
    }
}
