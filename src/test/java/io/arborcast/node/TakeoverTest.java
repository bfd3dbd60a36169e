package io.arborcast.node;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.Reachability;
import io.arborcast.core.SourceMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.net.NetConfig;
import io.arborcast.net.NettyTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static io.arborcast.node.Loops.is;
import static io.arborcast.node.Loops.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * One publisher per key, real nodes on loopback: a second publisher of a live channel is
 * refused unless it takes the channel over; then the old one stops, its listeners move to the
 * new one and skip nothing (the new source's seqs go on from the old one's). A takeover not
 * signed by the channel key, or older than the publisher's record, is declined.
 */
class TakeoverTest {
    private static final String TYPE = "application/octet-stream";
    /**
     * Chunks cut at 800 bytes, two per write, eight times as many as chunk intervals: the old
     * source's seqs run ahead of the wall clock a new source would start its own from.
     */
    private static final int CHUNK_BYTES = 800;
    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();
    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void stop() {
        transports.forEach(NettyTransport::close);
    }

    private Node start(Node bootstrap) throws Exception {
        NodeConfig d = NodeConfig.defaults();
        return nodes.start(new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(),
                d.tree().withRelays(2), 2, d.chunkMillis(), CHUNK_BYTES), bootstrap);
    }

    /** The seqs {@code n} plays of {@code channel}, in order, from now on. */
    private static List<Long> played(Node n, NodeId channel) throws Exception {
        List<Long> seqs = new CopyOnWriteArrayList<>();
        onLoop(n, x -> {
            x.channel(channel).addPlayer(c -> seqs.add(c.seq()));
            return null;
        });
        return seqs;
    }

    /**
     * Also for an old publisher nobody can dial (its reachability check said so): its provider
     * entry names a child as its via, and the new publisher's QUERY, TAKEOVER and their answers
     * pass through that child.
     */
    @ParameterizedTest(name = "old publisher dialable: {0}")
    @ValueSource(booleans = {true, false})
    void aSecondPublisherIsRefusedAndWithTakeoverTheListenersMoveToItSkippingNothing(boolean dialable)
            throws Exception {
        Node oldSource = start(null);
        ChannelKey key = ChannelKey.generate();
        NodeId id = key.channelId();
        LocalChannel old = oldSource.publish(key, "first", TYPE, 128).get(10, TimeUnit.SECONDS);
        ScheduledFuture<?> feedOld = Loops.feed(nodes.feeder(), oldSource, old);
        Node a = start(oldSource);
        Node b = start(oldSource);
        a.tune(id).get(10, TimeUnit.SECONDS);
        b.tune(id).get(10, TimeUnit.SECONDS);
        List<Long> atA = played(a, id);
        List<Long> atB = played(b, id);
        await().atMost(Duration.ofSeconds(15)).until(() -> atA.size() >= 4 && atB.size() >= 4);
        if (!dialable) {
            onLoop(oldSource, n -> n.reachabilityFound(new Reachability(Reachability.Status.UNREACHABLE,
                    Reachability.Status.REACHABLE, 3, System.currentTimeMillis(), "")));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.find(id).get(5, TimeUnit.SECONDS).providers()
                    .stream().anyMatch(p -> p.depth() == 0 && p.via() != null));
        }

        Node newSource = start(oldSource);
        assertThat(newSource.livePublishers(id).get(10, TimeUnit.SECONDS)).extracting(PeerAddress::id)
                .containsExactly(oldSource.address().id());
        Throwable refused = catchThrowable(() -> newSource.publish(key, "second", TYPE, 128).get(10, TimeUnit.SECONDS));
        assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ChannelInUseException.class)
                .hasMessageContaining("already published by " + oldSource.address().endpoint())
                .hasMessageContaining("--takeover");
        assertThat(is(newSource, n -> n.channel(id) == null)).as("nothing published by the refused one").isTrue();
        long passedBefore = passed(a, b);
        assertThat(passedBefore).as("QUERY and PUBLISHING passed through a child, twice").isEqualTo(dialable ? 0 : 4);

        CompletableFuture<PeerAddress> takenBy = new CompletableFuture<>();
        oldSource.onTakenOver((channel, by) -> takenBy.complete(by));
        LocalChannel taken = newSource.publish(key, "second", TYPE, 128, true).get(15, TimeUnit.SECONDS);
        List<Long> cutByNew = played(newSource, id);
        Loops.feed(nodes.feeder(), newSource, taken);
        assertThat(takenBy.get(5, TimeUnit.SECONDS).id()).isEqualTo(newSource.address().id());
        assertThat(is(oldSource, n -> n.channel(id) == null)).as("the old publisher left the channel").isTrue();
        assertThat(old.handedOver()).isTrue();
        feedOld.cancel(false);
        long lastOld = onLoop(oldSource, n -> old.peer().tree().buffer().highestSeq());

        // both listeners play on past the hand-over, fed from the new root, every seq in order
        await().atMost(Duration.ofSeconds(20)).until(() -> atA.get(atA.size() - 1) > lastOld + 8
                && atB.get(atB.size() - 1) > lastOld + 8);
        assertThat(cutByNew.get(0)).as("the new source's first chunk is the one after the old source's last")
                .isEqualTo(lastOld + 1);
        for (Node n : List.of(a, b)) {
            List<PeerAddress> path = onLoop(n, x -> x.channel(id).peer().tree().ancestors());
            assertThat(path.get(path.size() - 1).id()).as("the root of the path").isEqualTo(newSource.address().id());
            long skipped = onLoop(n, x -> x.channel(id).playout().skipped());
            assertThat(skipped).isZero();
        }
        for (List<Long> seqs : List.of(atA, atB)) {
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("seq after %d", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
            }
        }
        assertThat(onLoop(newSource, n -> n.livePublishers(id)).get(10, TimeUnit.SECONDS)).isEmpty();
        long passedSince = passed(a, b) - passedBefore; // QUERY, PUBLISHING, TAKEOVER, HANDOVER, more queries
        assertThat(passedSince).as("through a child").isGreaterThanOrEqualTo(dialable ? 0 : 4);
        if (dialable) {
            assertThat(passedSince).isZero();
        }
    }

    /** Source messages the nodes passed on as a publisher's via. */
    private static long passed(Node... vias) throws Exception {
        long sum = 0;
        for (Node n : vias) {
            sum += onLoop(n, Node::sourceMessagesPassed);
        }
        return sum;
    }

    /**
     * Two nodes publish the same key at the same moment: both pass the first check (neither
     * publishes yet), and once their records are stored they find each other; the older record
     * keeps the channel, the other publisher fails as a second publisher does, and listeners find
     * one root and its name.
     */
    @Test
    void twoPublishersStartingAtTheSameMomentEndAsOne() throws Exception {
        Node entry = start(null);
        Node a = start(entry);
        Node b = start(entry);
        ChannelKey key = ChannelKey.generate();
        NodeId id = key.channelId();
        CompletableFuture<LocalChannel> atA = a.publish(key, "from a", TYPE, 128);
        CompletableFuture<LocalChannel> atB = b.publish(key, "from b", TYPE, 128);
        Throwable failedA = catchThrowable(() -> atA.get(15, TimeUnit.SECONDS));
        Throwable failedB = catchThrowable(() -> atB.get(15, TimeUnit.SECONDS));
        assertThat(failedA == null ^ failedB == null).as("exactly one publisher stays (a: %s, b: %s)", failedA, failedB)
                .isTrue();
        Node winner = failedA == null ? a : b;
        Node loser = failedA == null ? b : a;
        Throwable lost = failedA == null ? failedB : failedA;
        assertThat(lost).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ChannelInUseException.class)
                .hasMessageContaining("already published by " + winner.address().endpoint());
        assertThat(is(loser, n -> n.channel(id) == null)).as("nothing left published by the other").isTrue();
        assertThat(entry.livePublishers(id).get(10, TimeUnit.SECONDS)).extracting(PeerAddress::id)
                .containsExactly(winner.address().id());

        Loops.feed(nodes.feeder(), winner, winner.channel(id));
        Node listener = start(entry);
        LocalChannel tuned = listener.tune(id).get(10, TimeUnit.SECONDS);
        assertThat(tuned.record().name()).as("the name listeners find").isEqualTo(winner == a ? "from a" : "from b");
        List<Long> seqs = played(listener, id);
        await().atMost(Duration.ofSeconds(15)).until(() -> seqs.size() >= 4);
        List<PeerAddress> path = onLoop(listener, x -> x.channel(id).peer().tree().ancestors());
        assertThat(path.get(path.size() - 1).id()).as("the root").isEqualTo(winner.address().id());
    }

    @Test
    void aTakeoverNotSignedByTheChannelKeyOrOlderThanThePublishersRecordIsDeclined() throws Exception {
        Node source = start(null);
        ChannelKey key = ChannelKey.generate();
        NodeId id = key.channelId();
        LocalChannel c = source.publish(key, "kept", TYPE, 128).get(10, TimeUnit.SECONDS);
        NodeIdentity intruder = NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY);
        NettyTransport raw = NettyTransport.start(NetConfig.loopback(0), intruder);
        transports.add(raw);
        List<SourceMessage.Declined> declined = new CopyOnWriteArrayList<>();
        raw.setHandler(new MessageRouter().on(SourceMessage.Declined.class, (from, m) -> declined.add(m)));

        long newer = c.record().sequence() + 1;
        byte[] forged = ChannelKey.generate().sign(SourceMessage.Takeover.signedBytes(id, intruder.id(), newer));
        raw.execute(() -> raw.send(source.address(), new SourceMessage.Takeover(id, newer, forged)));
        await().atMost(Duration.ofSeconds(10)).until(() -> declined.size() == 1);
        assertThat(declined.get(0).reason()).isEqualTo("not signed by the channel key");

        long older = c.record().sequence() - 1; // a real takeover, made before this publisher started
        byte[] replayed = key.sign(SourceMessage.Takeover.signedBytes(id, intruder.id(), older));
        raw.execute(() -> raw.send(source.address(), new SourceMessage.Takeover(id, older, replayed)));
        await().atMost(Duration.ofSeconds(10)).until(() -> declined.size() == 2);
        assertThat(declined.get(1).reason()).isEqualTo("older than this publisher's record");

        assertThat(is(source, n -> n.channel(id) == c)).as("still publishing").isTrue();
        assertThat(c.handedOver()).isFalse();
    }

    @Test
    void aPeerThatSaysItPublishesWithoutTheKeyNeitherBlocksNorStopsAPublisher() throws Exception {
        Node boot = start(null);
        ChannelKey key = ChannelKey.generate();
        NodeId id = key.channelId();
        NodeIdentity intruder = NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY);
        NettyTransport raw = NettyTransport.start(NetConfig.loopback(0), intruder);
        transports.add(raw);
        long then = System.currentTimeMillis() - 60_000; // a real record of the key, older than any new one
        ChannelRecord old = ChannelRecords.create(key, "old", TYPE, 128, then, then);
        List<SourceMessage.Query> queries = new CopyOnWriteArrayList<>();
        raw.setHandler(new MessageRouter().on(SourceMessage.Query.class, (from, q) -> {
            queries.add(q);
            byte[] forged = ChannelKey.generate().sign(SourceMessage.Publishing.signedBytes(id, intruder.id(), from.id(), q.nonce()));
            raw.send(from, new SourceMessage.Publishing(id, true, old, forged));
        }));
        // the intruder lists itself as the channel's root (anyone may announce itself a provider)
        raw.execute(() -> raw.send(boot.address(), new DhtMessage.AnnounceProvider(1, id,
                new ProviderInfo(raw.localAddress(), 0, 2, null), 300)));
        await().atMost(Duration.ofSeconds(10)).until(() -> boot.find(id).get().providers().size() == 1);

        Node publisher = start(boot);
        LocalChannel c = publisher.publish(key, "real", TYPE, 128).get(10, TimeUnit.SECONDS);
        // asked before publishing and once more after storing the record (the race check)
        assertThat(queries).hasSizeGreaterThanOrEqualTo(2);
        assertThat(c.handedOver()).isFalse();
        assertThat(is(publisher, n -> n.channel(id) == c)).as("still publishing").isTrue();
    }
}
