package io.arborcast.stream;

import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.engine.Simulation;
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

    /**
     * An FLV encoder that changes its settings mid-stream (here: 320x240, then 160x120; a new
     * onMetaData and AVC sequence header before the new keyframe): the source's head is rebuilt
     * with the new tags, so a player that joins after the change decodes (with the old head it
     * could not), and a player that played across it, given the new head's tags again, decodes
     * every frame too.
     */
    @Test
    void anFlvHeadIsRebuiltWhenTheEncoderChangesMidStream() throws Exception {
        byte[] first = Ffmpeg.video(3, "flv", Container.FLV.codecs);
        byte[] second = Ffmpeg.video(3, "flv", Container.FLV.codecs);
        byte[] smaller = Ffmpeg.scaled(second, "flv", 160, 120, Container.FLV.codecs);
        int head = Flv.headLength(first, first.length);
        byte[] head0 = Arrays.copyOf(first, head);
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.write(first, head, first.length - head);
        rest.writeBytes(shifted(Arrays.copyOfRange(smaller, Flv.HEADER + 4, smaller.length), 3_100));

        Flv flv = new Flv();
        flv.begin(head0);
        List<Chunk> chunks = new ArrayList<>();
        List<byte[]> heads = new ArrayList<>();
        List<Integer> headFrom = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, flv, sim, 250, 64 * 1024, 0, c -> {
            chunks.add(c);
            byte[] changed = flv.changedHead();
            if (changed != null) {
                heads.add(changed);
                headFrom.add(chunks.size());
            }
        });
        byte[] all = rest.toByteArray();
        for (int p = 0; p < all.length; p += 8_000) {
            chunker.write(all, p, Math.min(8_000, all.length - p));
            sim.runUntil(sim.now() + 100);
        }
        sim.runUntil(sim.now() + 1_000);
        assertThat(heads).as("one change: the metadata and video sequence header, in one chunk").hasSize(1);
        byte[] head1 = heads.get(0);
        assertThat(head1).isNotEqualTo(head0);
        int joinAt = headFrom.get(0);
        byte[] withFrame = Arrays.copyOf(head1, head1.length + chunks.get(joinAt).payload().length);
        System.arraycopy(chunks.get(joinAt).payload(), 0, withFrame, head1.length, chunks.get(joinAt).payload().length);
        assertThat(Flv.headLength(withFrame, withFrame.length)).as("a whole head").isEqualTo(head1.length);

        java.util.function.Predicate<byte[]> starts = StreamHeads.playerStarts("video/x-flv", head1);
        assertThat(starts.test(chunks.get(joinAt).payload())).as("the new keyframe begins the next chunk").isTrue();
        ByteArrayOutputStream late = new ByteArrayOutputStream();
        late.writeBytes(head1);
        chunks.subList(joinAt, chunks.size()).forEach(k -> late.writeBytes(k.payload()));
        assertThat(Ffmpeg.decodeErrors(late.toByteArray(), "flv")).isEmpty();
        assertThat(Ffmpeg.videoFrames(late.toByteArray(), "flv")).isEqualTo(Ffmpeg.videoFrames(smaller, "flv"));
        ByteArrayOutputStream oldHead = new ByteArrayOutputStream();
        oldHead.writeBytes(head0);
        chunks.subList(joinAt, chunks.size()).forEach(k -> oldHead.writeBytes(k.payload()));
        assertThat(Ffmpeg.decodeErrors(oldHead.toByteArray(), "flv")).as("with the head it began with").isNotEmpty();

        ByteArrayOutputStream across = new ByteArrayOutputStream();
        across.writeBytes(head0);
        for (int i = 0; i < chunks.size(); i++) {
            if (i == joinAt) {
                across.writeBytes(StreamHeads.headAgain("video/x-flv", head1));
            }
            across.writeBytes(chunks.get(i).payload());
        }
        assertThat(Ffmpeg.decodeErrors(across.toByteArray(), "flv")).isEmpty();
        // decoded, not probed: ffprobe 5.1 crashes counting the frames of a stream whose size changes
        assertThat(Ffmpeg.decodedVideoFrames(across.toByteArray(), "flv")).isEqualTo(Ffmpeg.videoFrames(first, "flv")
                + Ffmpeg.videoFrames(smaller, "flv"));
    }

    /** FLV tags with {@code millis} added to each one's timestamp. */
    private static byte[] shifted(byte[] tags, int millis) {
        byte[] out = tags.clone();
        for (int p = 0; p + 11 <= out.length; ) {
            int size = (out[p + 1] & 0xff) << 16 | (out[p + 2] & 0xff) << 8 | out[p + 3] & 0xff;
            long ts = ((out[p + 7] & 0xffL) << 24 | (out[p + 4] & 0xff) << 16 | (out[p + 5] & 0xff) << 8
                    | out[p + 6] & 0xff) + millis;
            out[p + 4] = (byte) (ts >> 16);
            out[p + 5] = (byte) (ts >> 8);
            out[p + 6] = (byte) ts;
            out[p + 7] = (byte) (ts >> 24);
            p += 11 + size + 4;
        }
        return out;
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
