package io.arborcast.tree;

import org.junit.jupiter.api.Test;

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
    void theMeterLearnsAFullUplinksRateAndForgetsItWhenItStaysClear() {
        UploadMeter m = new UploadMeter();
        long out = 0;
        long now = 0;
        m.sample(now, 0, 0);
        for (int i = 0; i < 10; i++) { // 500 ms periods, 50 KB a period handed over, 100 KB/s carried
            now += 500;
            out += 50_000;
            m.streamed(25_000); // a 400 kbit/s channel
            m.sample(now, out, 0);
        }
        assertThat(m.capacity()).as("never full: unknown").isZero();
        assertThat(m.copies(4)).isEqualTo(4);
        long waiting = 0;
        for (int i = 0; i < 20; i++) { // now 80 KB a period handed over, the uplink takes 50 KB
            now += 500;
            out += 80_000;
            waiting += 30_000;
            m.streamed(25_000);
            m.sample(now, out, waiting);
        }
        assertThat(m.capacity()).isCloseTo(100_000, org.assertj.core.data.Offset.offset(1.0));
        assertThat(m.behindMillis()).isEqualTo(waiting * 1000 / 100_000);
        assertThat(m.copies(4)).as("0.9 x 100 KB/s over 50 KB/s").isEqualTo(1);
        for (int i = 0; i < 15; i++) { // the queue drains
            now += 500;
            waiting = Math.max(0, waiting - 50_000);
            m.streamed(25_000);
            m.sample(now, out, waiting);
        }
        assertThat(m.behindMillis()).isZero();
        assertThat(m.copies(4)).as("still known").isEqualTo(1);
        now += UploadMeter.FORGET_MILLIS;
        m.streamed(25_000 * 240);
        m.sample(now, out, 0);
        assertThat(m.capacity()).as("clear for two minutes: forgotten").isZero();
        assertThat(m.copies(4)).isEqualTo(4);
    }
}
