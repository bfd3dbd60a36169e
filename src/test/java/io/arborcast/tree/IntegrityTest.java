package io.arborcast.tree;

import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.TreeMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.net.SimNode;
import io.arborcast.stream.Chunks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a node takes and gives: only chunks its parent sent (or a neighbour it asked), only if signed by the
 * channel key, and replays to strangers within their budget. Virtual time, on {@link TreeHarness}. */
class IntegrityTest extends TreeHarness {
    @Test
    void forgedChunkMakesTheParentFaulty() {
        add(true, 2);
        stream();
        ChannelTree victim = add(false, 0);
        victim.join();
        sim.runUntil(3_000);
        ChannelKey thief = ChannelKey.generate();
        Chunk forged = new Chunk(KEY.channelId(), nextSeq + 100, 0, "evil".getBytes(),
                thief.sign("evil".getBytes()));
        nodes.get(0).send(nodes.get(1).localAddress(), forged);
        sim.runUntil(3_500);
        assertThat(victim.stats().badChunks).isEqualTo(1);
        assertThat(played.get(1)).doesNotContain(nextSeq + 100);
        assertThat(victim.stats().parentLosses).isEqualTo(1);
    }

    @Test
    void chunksFromAnyoneButTheParentAreIgnored() {
        add(true, 2);
        stream();
        ChannelTree a = add(false, 2);
        a.join();
        ChannelTree b = add(false, 2);
        b.join();
        sim.runUntil(3_000);
        int before = played.get(1).size();
        Chunk genuine = Chunks.sign(KEY, 1_000_000, 0, "x".getBytes());
        nodes.get(2).send(nodes.get(1).localAddress(), genuine); // b is not a's parent
        sim.runUntil(3_200);
        assertThat(played.get(1)).doesNotContain(1_000_000L);
        assertThat(played.get(1).size()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void pullsAreAnsweredAtMostOncePerHalfKeepaliveAndCapped() {
        add(true, 2);
        stream();
        ChannelTree a = add(false, 2);
        a.join();
        sim.runUntil(15_000); // a holds about 56 chunks
        SimNode asker = net.addNode(NodeId.random(random));
        List<Long> got = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(StreamMessage.Chunk.class, (from, c) -> got.add(c.seq())));
        asker.send(nodes.get(1).localAddress(), new TreeMessage.Pull(KEY.channelId(), 0, 1_000));
        asker.send(nodes.get(1).localAddress(), new TreeMessage.Pull(KEY.channelId(), 0, 1_000));
        sim.runUntil(15_500);
        // a stranger (not a gossip neighbour, parent or child of a) gets a stranger's share of the replay budget
        assertThat(got).hasSize(Math.min(GapPull.MAX_CHUNKS, TreeConfig.relay(2).maxReplayPerMinute() / 8));
        assertThat(a.stats().pullsRefused).isEqualTo(1);
        assertThat(a.children()).isEmpty(); // a pull does not make a child
    }

    @Test
    void aPeerThatAttachesAndPullsInALoopGetsAtMostItsReplayBudget() {
        add(true, 2);
        stream();
        ChannelTree a = add(false, 4);
        a.join();
        sim.runUntil(31_000); // a's window is full: 120 chunks
        SimNode greedy = net.addNode(NodeId.random(random));
        List<Long> got = new ArrayList<>();
        greedy.setHandler(new MessageRouter().on(StreamMessage.Chunk.class, (from, c) -> got.add(c.seq())));
        long liveBefore = nextSeq;
        for (int i = 0; i < 20; i++) { // 20 x "resend everything from seq 0", plus pulls, within 10 s
            long at = 31_000 + i * 500L;
            sim.schedule(at - sim.now(), () -> {
                greedy.send(nodes.get(1).localAddress(), new TreeMessage.Attach(KEY.channelId(), 0, 0));
                greedy.send(nodes.get(1).localAddress(), new TreeMessage.Pull(KEY.channelId(), 0, 1_000));
            });
        }
        sim.runUntil(41_000);
        long live = nextSeq - liveBefore; // chunks published meanwhile reach the child live, uncounted
        // it never heartbeats: a stranger, with a stranger's burst and an eighth of the rate for the 10 s
        int perMinute = TreeConfig.relay(4).maxReplayPerMinute();
        int budget = perMinute / 8 + (int) Math.ceil(10 * perMinute / 60.0 / 8);
        assertThat(got.size()).isLessThanOrEqualTo(budget + (int) live + 1).isGreaterThanOrEqualTo(perMinute / 8);
        assertThat(sim.now()).isLessThan(60_000 + 31_000); // all of it within one budget minute
        assertThat(greedy.limits().count(io.arborcast.core.Limit.CHUNK_REPLAY)).isPositive();
        assertThat(played.get(1)).isNotEmpty(); // a itself keeps playing
    }
}
