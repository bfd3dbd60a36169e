package io.arborcast.stream;

import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.core.Cancellable;
import io.arborcast.core.Scheduler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Chunk signing, the buffer window, the chunker and in-order playout, in virtual time. */
class StreamStateTest {
    private static final ChannelKey KEY = ChannelKey.generate();
    private final Simulation sim = new Simulation();

    private static Chunk chunk(long seq) {
        return Chunks.sign(KEY, seq, seq * 250, ("payload " + seq).getBytes());
    }

    @Test
    void signedChunksVerifyAndForgeriesDoNot() {
        Chunk c = chunk(7);
        assertThat(Chunks.verify(KEY.publicKey(), c)).isTrue();
        byte[] tampered = c.payload().clone();
        tampered[0] ^= 1;
        assertThat(Chunks.verify(KEY.publicKey(), new Chunk(c.channel(), 7, c.timestamp(), tampered, c.signature())))
                .isFalse();
        assertThat(Chunks.verify(KEY.publicKey(), new Chunk(c.channel(), 8, c.timestamp(), c.payload(),
                c.signature()))).isFalse(); // replayed under another seq
        ChannelKey other = ChannelKey.generate();
        assertThat(Chunks.verify(other.publicKey(), c)).isFalse();
        Chunk foreign = Chunks.sign(other, 7, 0, c.payload());
        assertThat(Chunks.verify(KEY.publicKey(), foreign)).isFalse(); // another channel's chunk
    }

    @Test
    void bufferKeepsAWindowBySeqAndRefusesDuplicatesAndStaleChunks() {
        ChunkBuffer b = new ChunkBuffer(8);
        for (long s = 0; s < 20; s++) {
            assertThat(b.put(chunk(s))).isTrue();
        }
        assertThat(b.put(chunk(19))).isFalse();
        assertThat(b.put(chunk(11))).isFalse(); // outside the window 12..19
        assertThat(b.get(11)).isNull();
        assertThat(b.get(12).seq()).isEqualTo(12);
        assertThat(b.windowStart()).isEqualTo(12);
        assertThat(b.from(15)).extracting(Chunk::seq).containsExactly(15L, 16L, 17L, 18L, 19L);
        assertThat(b.from(0)).hasSize(8);
        assertThat(b.held()).isEqualTo(8);
        // a gap stays a gap; a late chunk inside the window fills it
        ChunkBuffer g = new ChunkBuffer(8);
        g.put(chunk(1));
        g.put(chunk(3));
        assertThat(g.from(0)).extracting(Chunk::seq).containsExactly(1L, 3L);
        assertThat(g.held()).isEqualTo(2);
        assertThat(g.put(chunk(2))).isTrue();
        assertThat(g.from(0)).extracting(Chunk::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aStreamNeedsFillingFromItsFirstRecentHoleNotFromBeforeItsFirstChunk() {
        ChunkBuffer b = new ChunkBuffer(120); // chunks are 250 ms apart
        assertThat(b.firstMissing(3_000)).as("empty: from the preroll").isEqualTo(-1);
        for (long s = 40; s <= 50; s++) {
            b.put(chunk(s));
        }
        assertThat(b.firstMissing(3_000)).as("whole from its first chunk: the next one").isEqualTo(51);
        b.put(chunk(53));
        b.put(chunk(54));
        assertThat(b.firstMissing(3_000)).as("a hole lost with a parent").isEqualTo(51);
        assertThat(b.missingFrom(51)).isEqualTo(2);
        assertThat(b.missingFrom(55)).isZero();
        for (long s = 55; s <= 70; s++) {
            b.put(chunk(s));
        }
        // 53 is stamped 4.25 s before 70: playout skipped the hole below it by now
        assertThat(b.firstMissing(3_000)).isEqualTo(71);
        assertThat(b.firstMissing(5_000)).isEqualTo(51);
        b.put(chunk(51));
        assertThat(b.firstMissing(5_000)).isEqualTo(52);
    }

    @Test
    void chunkerSeqsGoOnAcrossAPauseAndTheNextInputStartsAfresh() throws Exception {
        byte[] mp3 = Ffmpeg.sine(1, "libmp3lame", "mp3", "-b:a", "128k", "-id3v2_version", "0", "-write_xing", "0");
        List<Chunk> chunks = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, new Mp3Frames(), sim, 250, 64 * 1024, 7, chunks::add);
        chunker.write(mp3, 0, mp3.length - 100); // the source leaves in the middle of its last frame
        sim.runUntil(sim.now() + 2_000);
        chunker.pause();
        int first = chunks.size();
        sim.runUntil(sim.now() + 5_000);
        assertThat(chunks).as("nothing while paused").hasSize(first);
        chunker.write(mp3, 0, mp3.length); // a source client comes back
        sim.runUntil(sim.now() + 2_000);
        chunker.pause();
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(chunks.get(i).seq()).isEqualTo(7 + i); // one run of seqs across the pause
        }
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        ByteArrayOutputStream after = new ByteArrayOutputStream();
        chunks.forEach(c -> (c.seq() < 7 + first ? before : after).writeBytes(c.payload()));
        assertThat(before.size()).isLessThan(mp3.length - 100);
        assertThat(Arrays.copyOf(mp3, before.size())).isEqualTo(before.toByteArray()); // whole frames only
        assertThat(after.toByteArray()).as("the cut-off frame is not glued to the new input").isEqualTo(mp3);
    }

    @Test
    void chunkerCutsSignedChunksOnFrameBoundariesEveryInterval() throws Exception {
        byte[] mp3 = Ffmpeg.sine(3, "libmp3lame", "mp3", "-b:a", "128k", "-id3v2_version", "0", "-write_xing", "0");
        List<Chunk> chunks = new ArrayList<>();
        Chunker chunker = new Chunker(KEY, new Mp3Frames(), sim, 250, 64 * 1024, 100, chunks::add);
        Random r = new Random(3);
        int pos = 0;
        while (pos < mp3.length) { // the source delivers uneven pieces, 16,000 B/s like a 128 kbit/s feed
            int n = Math.min(mp3.length - pos, 500 + r.nextInt(1500));
            chunker.write(mp3, pos, n);
            pos += n;
            sim.runUntil(sim.now() + n * 1000L / 16_000);
        }
        chunker.pause();
        assertThat(chunks.size()).isBetween(10, 14);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long seq = 100;
        for (Chunk c : chunks) {
            assertThat(c.seq()).isEqualTo(seq++);
            assertThat(Chunks.verify(KEY.publicKey(), c)).isTrue();
            assertThat(Mp3Frames.frameLength(c.payload(), 0)).isGreaterThan(0); // starts on a frame
            joined.writeBytes(c.payload());
        }
        assertThat(joined.toByteArray()).isEqualTo(mp3); // nothing lost, nothing added
    }

    /** A source read once per interval: each read is cut at once, and the interval timer never cuts on its own. */
    @Test
    void aCutAfterEachReadSendsTheChunkAtOnceAndPostponesTheTimer() throws Exception {
        byte[] mp3 = Ffmpeg.sine(2, "libmp3lame", "mp3", "-b:a", "128k", "-id3v2_version", "0", "-write_xing", "0");
        List<Chunk> chunks = new ArrayList<>();
        List<Long> cutAt = new ArrayList<>();
        int[] timersRun = {0};
        Scheduler counting = new Scheduler() { // a timer that runs is a wake-up of the node
            @Override
            public long now() {
                return sim.now();
            }

            @Override
            public Cancellable schedule(long delayMillis, Runnable task) {
                return sim.schedule(delayMillis, () -> {
                    timersRun[0]++;
                    task.run();
                });
            }
        };
        Chunker chunker = new Chunker(KEY, new Mp3Frames(), counting, 250, 64 * 1024, 0, c -> {
            chunks.add(c);
            cutAt.add(sim.now());
        });
        int perRead = 4_000; // 250 ms of a 128 kbit/s feed
        int pos = 0;
        while (pos < mp3.length) {
            int n = Math.min(mp3.length - pos, perRead);
            chunker.write(mp3, pos, n);
            chunker.cut();
            int chunksAfterRead = chunks.size();
            assertThat(chunksAfterRead).as("the read's complete frames left at once").isGreaterThan(0);
            pos += n;
            sim.runUntil(sim.now() + 240); // the next read comes before the interval is over
            assertThat(chunks).as("nothing cut between reads").hasSize(chunksAfterRead);
        }
        assertThat(timersRun[0]).as("the interval timer never fired").isZero();
        chunker.pause();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.forEach(c -> joined.writeBytes(c.payload()));
        assertThat(joined.toByteArray()).isEqualTo(mp3); // frames split across reads are whole in the next chunk
        assertThat(cutAt).as("one chunk per read").hasSize((mp3.length + perRead - 1) / perRead);
    }

    @Test
    void playoutIsInOrderWaitsForGapsAndSkipsOnlyAfterTheDelay() {
        List<Long> played = new ArrayList<>();
        Playout p = new Playout(sim, 3_000, c -> played.add(c.seq()));
        p.onChunk(chunk(10));
        p.onChunk(chunk(12)); // 11 missing
        p.onChunk(chunk(13));
        assertThat(played).containsExactly(10L);
        sim.runUntil(2_000);
        p.onChunk(chunk(11)); // arrives late but within the playout delay: nothing skipped
        assertThat(played).containsExactly(10L, 11L, 12L, 13L);
        p.onChunk(chunk(12)); // duplicate: never played twice
        p.onChunk(chunk(15)); // 14 never comes
        sim.runUntil(4_000);
        p.onChunk(chunk(16)); // later chunks do not restart the wait for 14
        sim.runUntil(5_001);
        assertThat(played).containsExactly(10L, 11L, 12L, 13L, 15L, 16L);
        assertThat(p.skipped()).isEqualTo(1);
        assertThat(p.duplicates()).isEqualTo(1);
        assertThat(p.played()).isEqualTo(6);
    }
}
