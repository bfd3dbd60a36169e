package io.arborcast.tree;

import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.net.SimNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay that offers more slots than its uplink feeds: it learns its uplink's rate from what
 * it sends, gives up children (the newest first) until the rest get the stream on time, and
 * offers no slot it cannot feed; the children it gave up repair below a relay with room. And
 * the meter itself, sample by sample.
 */
class UploadTest extends TreeHarness {
    /** 400 kbit/s: 12,500-byte chunks every 250 ms. */
    private static final int CHUNK_BYTES = 12_500;

    @Test
    void aRelayWhoseUplinkFeedsTwoCopiesGivesUpTheChildrenBeyondThem() {
        add(true, 2);
        stream(CHUNK_BYTES);
        sim.runUntil(1_000);
        relaysUnderTheSource(2, 4);
        ChannelTree tight = trees.get(1);
        for (int i = 0; i < 4; i++) { // four listeners that see only that relay when they join
            visibleOnly = 1;
            add(false, 0).join();
            sim.runUntil(sim.now() + 1_000);
        }
        visibleOnly = -1;
        assertThat(tight.children()).as("it took four").hasSize(4);
        nodes.get(1).setUploadBytesPerSec(125_000); // now 1 Mbit/s: two copies and what control takes
        sim.runUntil(sim.now() + 60_000);

        assertThat(tight.stats().childrenShed).as("gave up the two it cannot feed").isEqualTo(2);
        assertThat(tight.children()).hasSize(2);
        assertThat(tight.freeSlots()).as("offers none of its other two slots").isZero();
        assertThat(trees.get(2).children()).as("the other relay took them").hasSize(2);
        long last = nextSeq - 1;
        for (int i = 3; i < trees.size(); i++) { // every listener plays the last 20 s without a gap
            List<Long> seqs = played.get(i);
            List<Long> recent = seqs.subList(seqs.indexOf(last - 80), seqs.indexOf(last - 8));
            assertNoSkipNoRepeat(recent);
        }
    }

    @Test
    void aSmallUplinkAnswersAPullWithWhatLeavesItInAKeepalivePeriod() {
        add(true, 2);
        stream(CHUNK_BYTES);
        ChannelTree a = add(false, TreeConfig.relay(2).withUpload(1_000)); // 125 KB/s: 62.5 KB a period
        a.join();
        sim.runUntil(15_000);
        SimNode asker = net.addNode(NodeId.random(random));
        List<Long> got = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(StreamMessage.Chunk.class, (from, c) -> got.add(c.seq())));
        asker.send(nodes.get(1).localAddress(), new TreeMessage.Pull(KEY.channelId(), 0, 1_000));
        sim.runUntil(16_000);
        assertThat(got).as("five 12.5 KB chunks, not a stranger's 30").hasSize(5);
        assertThat(got.get(0)).as("from the oldest it holds").isLessThan(5);
        assertNoSkipNoRepeat(got);
    }

    @Test
    void aNewcomerBelowASmallUplinkGetsTheNewestChunksOfItsPrerollAndPlaysOnWithoutAHole() {
        TreeConfig small = TreeConfig.relay(1).withUpload(1_000).withStream(120, 8, 3_000, 1_000);
        add(true, 1);
        stream(CHUNK_BYTES);
        ChannelTree relay = add(false, small);
        relay.join();
        sim.runUntil(6_000);
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(20_000);
        assertThat(indexOf(listener.parent())).isEqualTo(1);
        // of the 9 chunks of its preroll (112.5 KB) 5 leave in a period: the newest, so no hole
        // follows them (the source is never pulled from, and nobody else holds the stream)
        List<Long> seqs = played.get(2);
        assertNoSkipNoRepeat(seqs);
        assertThat(listener.stats().chunksPulled).as("no hole to pull").isZero();
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
    }

    @Test
    void aRepairBelowASmallUplinkGetsAllOfItsResumeOverTheNextPeriods() {
        add(true, 2);
        stream(CHUNK_BYTES);
        relaysUnderTheSource(1, 1);
        visibleOnly = 0;
        ChannelTree small = add(false, TreeConfig.relay(1).withUpload(1_000)); // 62.5 KB a period: 5 chunks
        small.join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = 1; // a listener below the first relay
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(sim.now() + 5_000);
        visibleOnly = -1;
        assertThat(indexOf(listener.parent())).isEqualTo(1);
        oracleUploadKbps = 300; // as gossip tells it, nobody's uplink carries a copy: nobody to pull from
        net.crash(nodes.get(1));
        sim.runUntil(sim.now() + 20_000);
        // it repairs below the small relay, the only place with room, resuming from its first
        // missing chunk: more than the relay sends in a period, the rest over the next ones
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        assertThat(listener.stats().chunksPulled).isZero();
        List<Long> seqs = new ArrayList<>(played.get(3)); // as they came: the rest of the resume after live ones
        seqs.sort(null);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
    }

    @Test
    void theMeterLearnsAFullUplinksRateAndForgetsItWhenItStaysClear() {
        UploadMeter m = new UploadMeter();
        long out = 0;
        long now = 0;
        m.sample(now, 0, 0, false);
        for (int i = 0; i < 10; i++) { // 500 ms periods, 50 KB a period handed over, 100 KB/s carried
            now += 500;
            out += 50_000;
            m.streamed(25_000); // a 400 kbit/s channel
            m.sample(now, out, 0, false);
        }
        assertThat(m.capacity()).as("never full: unknown").isZero();
        assertThat(m.copyFits(400)).as("a 400 kbit/s uplink carries the 400 kbit/s channel").isTrue();
        assertThat(m.copyFits(399)).isFalse();
        assertThat(m.copyFits(0)).as("unknown").isTrue();
        assertThat(m.copies(4)).isEqualTo(4);
        long waiting = 0;
        for (int i = 0; i < 20; i++) { // now 80 KB a period handed over, the uplink takes 50 KB
            now += 500;
            out += 80_000;
            waiting += 30_000;
            m.streamed(25_000);
            m.sample(now, out, waiting, waiting > 0);
        }
        assertThat(m.capacity()).isCloseTo(100_000, org.assertj.core.data.Offset.offset(1.0));
        assertThat(m.behindMillis()).isEqualTo(waiting * 1000 / 100_000);
        assertThat(m.copies(4)).as("0.9 x 100 KB/s over 50 KB/s").isEqualTo(1);
        for (int i = 0; i < 15; i++) { // the queue drains
            now += 500;
            waiting = Math.max(0, waiting - 50_000);
            m.streamed(25_000);
            m.sample(now, out, waiting, waiting > 0);
        }
        assertThat(m.behindMillis()).isZero();
        assertThat(m.copies(4)).as("still known").isEqualTo(1);
        now += UploadMeter.FORGET_MILLIS;
        m.streamed(25_000 * 240);
        m.sample(now, out, 0, false);
        assertThat(m.capacity()).as("clear for two minutes: forgotten").isZero();
        assertThat(m.copies(4)).isEqualTo(4);
    }

    @Test
    void aPeriodThatSentWhatWaitedAndIdledIsNoFullPeriod() {
        UploadMeter m = new UploadMeter();
        long out = 0;
        for (int i = 0; i <= 10; i++) {
            // at each sample a 16 KB burst was just handed over; it leaves in 128 ms, then the
            // uplink idles until the next: full at both ends, and what left equals what waited
            out += 16_000;
            m.sample(i * 500L, out, 16_000, true);
        }
        assertThat(m.capacity()).as("never full throughout a period: unknown").isZero();
        assertThat(m.copies(4)).isEqualTo(4);
    }

    @Test
    void onlyARunOfPeriodsWithNothingWaitingRaisesTheRate() {
        UploadMeter m = new UploadMeter();
        long out = 0;
        long now = 0;
        long waiting = 0;
        m.sample(now, 0, 0, false);
        for (int i = 0; i < 10; i++) { // full: 80 KB handed over a period, 50 KB leave
            now += 500;
            out += 80_000;
            waiting += 30_000;
            m.sample(now, out, waiting, true);
        }
        assertThat(m.capacity()).isCloseTo(100_000, org.assertj.core.data.Offset.offset(1.0));
        now += 500; // what waited leaves at once: the period is no full one, it ends with nothing waiting
        waiting = 0;
        m.sample(now, out, waiting, false);
        // one period hands 60 KB over and all of it leaves the transport, though the sockets'
        // buffers below took 10 KB of it: no reason to believe the uplink grew
        now += 500;
        out += 60_000;
        m.sample(now, out, 0, false);
        assertThat(m.capacity()).as("one period with nothing waiting").isCloseTo(100_000, org.assertj.core.data.Offset.offset(1.0));
        for (int i = 1; i < UploadMeter.TREND; i++) { // 60 KB a period, all gone, in a run
            now += 500;
            out += 60_000;
            m.sample(now, out, 0, false);
        }
        assertThat(m.capacity()).as("a run of them carried more").isCloseTo(120_000, org.assertj.core.data.Offset.offset(1.0));
    }
}
