package io.arborcast.stream;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Scheduler;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WebM as ffmpeg writes it live (VP9 + Opus, a keyframe a second), cut by the real chunker:
 * the head is everything before the first cluster, every cluster begins a chunk, keyframes
 * larger than a chunk span several, and a late joiner given the head and the chunks from any
 * keyframe cluster on decodes without an error, every frame from there on.
 */
class MatroskaTest {
    private static final ChannelKey KEY = ChannelKey.generate();
    private final Simulation sim = new Simulation();
    private final Scheduler clock = new Scheduler() {
        @Override
        public long now() {
            return sim.now();
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            return sim.schedule(delayMillis, task);
        }
    };

    private static byte[] webm(int seconds) throws Exception {
        return Ffmpeg.video(seconds, "webm", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                "-b:v", "600k", "-g", "25", "-c:a", "libopus", "-b:a", "64k");
    }

    /** {@code data} from {@code from} on, fed as a source sends it (a tenth of a second's bytes at a time), cut into chunks. */
    private List<Chunk> chunks(byte[] data, int from, int maxChunkBytes) {
        List<Chunk> out = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, FrameSplitter.forContentType("video/webm"), clock, 250, maxChunkBytes, 0,
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

    @Test
    void aLateJoinerGivenTheHeadAndAnyKeyframeClusterDecodesEveryFrameFromThere() throws Exception {
        byte[] webm = webm(6);
        int head = Matroska.headLength(webm, webm.length);
        assertThat(head).isPositive();
        assertThat(Matroska.headLength(webm, head - 1)).as("not complete before the first cluster").isEqualTo(-1);
        assertThat(Arrays.copyOfRange(webm, head, head + 4)).containsExactly(0x1F, 0x43, 0xB6, 0x75);
        assertThat(StreamHeads.headLength("video/webm", webm, webm.length)).isEqualTo(head);
        byte[] headBytes = Arrays.copyOf(webm, head);
        long video = Matroska.videoTrack(headBytes);
        assertThat(video).isPositive();

        List<Chunk> chunks = chunks(webm, head, 16 * 1024); // small chunks: keyframes span several
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.forEach(c -> joined.writeBytes(c.payload()));
        assertThat(joined.toByteArray()).as("every byte after the head, in order").isEqualTo(
                Arrays.copyOfRange(webm, head, webm.length));
        assertThat(chunks).allMatch(c -> c.payload().length <= 16 * 1024);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            if (Matroska.decodableStart(chunks.get(i).payload(), video)) {
                starts.add(i);
            }
        }
        assertThat(starts).as("a keyframe cluster a second or so").hasSizeBetween(4, 8).startsWith(0);
        int total = Ffmpeg.videoFrames(webm, "webm");
        assertThat(total).isBetween(149, 151);
        for (int s : starts.subList(1, starts.size())) {
            ByteArrayOutputStream late = new ByteArrayOutputStream();
            late.writeBytes(headBytes);
            chunks.subList(s, chunks.size()).forEach(c -> late.writeBytes(c.payload()));
            assertThat(Ffmpeg.decodeErrors(late.toByteArray(), "webm")).as("joined at chunk %d", s).isEmpty();
            assertThat(Ffmpeg.videoFrames(late.toByteArray(), "webm")).isPositive().isLessThan(total);
        }
        assertThat(Matroska.decodableStart(chunks.get(starts.get(1) + 1).payload(), video))
                .as("a chunk inside a cluster").isFalse();
    }

    @Test
    void bytesNoMuxerWritesAreRefusedAndDroppedBeforeAnyChunk() throws Exception {
        byte[] webm = webm(1);
        int head = Matroska.headLength(webm, webm.length);
        List<Chunk> out = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, new Matroska(), clock, 250, 64 * 1024, 0, out::add);
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
