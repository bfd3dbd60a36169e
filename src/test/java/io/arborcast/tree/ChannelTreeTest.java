package io.arborcast.tree;

import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.TreeMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.LatencyModel;
import io.arborcast.sim.SimNetwork;
import io.arborcast.sim.SimNode;
import io.arborcast.sim.Simulation;
import io.arborcast.stream.Chunks;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Each tree rule in virtual time on the simulated network. Candidates come from an oracle here (gossip later). */
class ChannelTreeTest {
    private static final ChannelKey KEY = ChannelKey.generate();
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim, new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 5_000),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 4);
    private final Random random = new Random(4);
    private final List<ChannelTree> trees = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<List<Long>> played = new ArrayList<>();
    private final List<Integer> slots = new ArrayList<>();
    private long nextSeq;
    private boolean paused;
    /** When not -1, the oracle shows only this node. */
    private int visibleOnly = -1;
    /** Every ATTACH delivered, as "asker->receiver" node indexes. */
    private final List<String> attachLog = new ArrayList<>();
    /** States of peers that are gone, which the oracle keeps reporting (as gossip does for a while). */
    private final List<PeerState> ghosts = new ArrayList<>();
    /** When set, the oracle reports every node's configured slots as free, as stale gossip would. */
    private boolean staleOracle;
    /** When set, the oracle shows the source full, as gossip does. */
    private boolean sourceShownFull;
    /** The state version the oracle reports for everyone. */
    private long oracleVersion;

    private List<PeerState> oracle() {
        List<PeerState> out = new ArrayList<>();
        for (int i = 0; i < trees.size(); i++) {
            ChannelTree t = trees.get(i);
            if (nodes.get(i).alive() && t.receiving() && (visibleOnly < 0 || visibleOnly == i)) {
                boolean full = sourceShownFull && i == 0;
                out.add(new PeerState(nodes.get(i).localAddress(), t.depth(),
                        full ? 0 : staleOracle ? slots.get(i) : t.freeSlots(),
                        full || staleOracle ? 0 : t.listenerChildren(), 1000, 0, oracleVersion));
            }
        }
        out.addAll(ghosts);
        return out;
    }

    private ChannelTree add(boolean source, int slotCount) {
        TreeConfig config = TreeConfig.relay(slotCount);
        SimNode node = net.addNode(NodeId.random(random));
        List<Long> log = new ArrayList<>();
        ChannelTree t = source
                ? ChannelTree.source(KEY.channelId(), KEY.publicKey(), config, node, node, this::oracle)
                : ChannelTree.listener(KEY.channelId(), KEY.publicKey(), config, node, node,
                        this::oracle, c -> log.add(c.seq()));
        int index = trees.size();
        node.setHandler(new MessageRouter()
                .on(TreeMessage.Attach.class, (from, a) -> {
                    attachLog.add(indexOf(from) + "->" + index);
                    t.onMessage(from, a);
                })
                .on(TreeMessage.class, t::onMessage)
                .on(StreamMessage.Chunk.class, t::onChunk)
                .onLinkClosed(t::onLinkClosed));
        trees.add(t);
        slots.add(slotCount);
        nodes.add(node);
        played.add(log);
        return t;
    }

    /** The source publishes one chunk every 250 ms from now on. */
    private void stream() {
        sim.schedule(250, () -> {
            if (!paused) {
                trees.get(0).publish(Chunks.sign(KEY, nextSeq, sim.now(), ("chunk " + nextSeq).getBytes()));
                nextSeq++;
            }
            stream();
        });
    }

    /** Adds {@code count} relays with {@code slotCount} slots, each seeing only the source when it joins. */
    private void relaysUnderTheSource(int count, int slotCount) {
        for (int i = 0; i < count; i++) {
            visibleOnly = 0;
            add(false, slotCount).join();
            sim.runUntil(sim.now() + 2_000);
        }
        visibleOnly = -1;
    }

    /** A chain below the source, one node per entry with that many slots, each seeing only the one above it. */
    private void chainBelowTheSource(int... slotCounts) {
        for (int slotCount : slotCounts) {
            visibleOnly = trees.size() - 1;
            add(false, slotCount).join();
            sim.runUntil(sim.now() + 2_000);
        }
    }

    private static void assertNoSkipNoRepeat(List<Long> seqs) {
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("no skip, no repeat").isEqualTo(seqs.get(i - 1) + 1);
        }
    }

    private int indexOf(PeerAddress p) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).localAddress().id().equals(p.id())) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void fullParentRedirectsAndTheTreeGrowsUnderRelays() {
        staleOracle = true; // listeners ask full parents, which refuse and redirect
        add(true, 2);
        stream();
        for (int i = 1; i <= 6; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_500);
        }
        sim.runUntil(sim.now() + 5_000);
        assertThat(trees.get(0).children()).hasSizeBetween(1, 2); // joiners spread over the best few candidates
        for (int i = 1; i <= 6; i++) {
            ChannelTree t = trees.get(i);
            assertThat(t.receiving()).as("listener %d", i).isTrue();
            assertThat(t.depth()).isBetween(1, 4); // 6 listeners, 2 slots each, parents picked among the best 3
            assertThat(t.ancestors()).hasSize(t.depth());
            assertThat(indexOf(t.ancestors().get(t.depth() - 1))).isZero(); // the path ends at the source
            assertThat(played.get(i)).isNotEmpty();
        }
        assertThat(trees.stream().mapToLong(t -> t.stats().refusalsSent).sum()).isGreaterThan(0);
    }

    @Test
    void pureListenersAreNeverRelays() {
        staleOracle = true;
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        ChannelTree late = add(false, 0);
        late.join();
        sim.runUntil(20_000);
        assertThat(late.receiving()).isFalse(); // the only slot is taken and the listener relays nothing
        assertThat(trees.get(1).children()).isEmpty();
        assertThat(late.stats().refusalsReceived).isGreaterThan(0);
    }

    @Test
    void aNodeIsNeverAttachedBelowItself() {
        add(true, 1);
        stream();
        ChannelTree a = add(false, 1);
        a.join();
        sim.runUntil(3_000);
        ChannelTree b = add(false, 1);
        b.join();
        sim.runUntil(6_000);
        assertThat(b.parent().id()).isEqualTo(nodes.get(1).localAddress().id()); // b under a
        // b may not adopt a: a is its ancestor
        nodes.get(1).send(nodes.get(2).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 1));
        sim.runUntil(7_000);
        assertThat(b.children()).isEmpty();
        assertThat(b.stats().refusalsSent).isEqualTo(1);
    }

    @Test
    void listenerUnderADeadRelayResumesWithoutSkipOrRepeat() {
        add(true, 2);
        stream();
        add(false, 0).join(); // fills one of the source's slots and relays nothing
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 2);
        relay.join(); // the source's other slot: the listener must go under the relay
        sim.runUntil(4_000);
        ChannelTree listener = add(false, 0);
        List<String> events = new ArrayList<>();
        listener.setEvents(new TreeEvents() {
            @Override
            public void attached(PeerAddress parent, int depth, boolean moved) {
                events.add("attached " + indexOf(parent) + " depth " + depth);
            }

            @Override
            public void parentLost(PeerAddress parent, String why) {
                events.add("lost " + indexOf(parent));
            }

            @Override
            public void repaired(PeerAddress parent, long millis) {
                events.add("repaired " + indexOf(parent) + (millis > 0 ? "" : " instantly?"));
            }
        });
        listener.join();
        sim.runUntil(8_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        net.crash(nodes.get(2)); // the relay dies; the listener hears after the crash timeout
        sim.runUntil(30_000);
        int newParent = indexOf(listener.parent());
        assertThat(events).containsExactly("attached 2 depth 2", "lost 2", "attached " + newParent + " depth "
                + listener.depth(), "repaired " + newParent);
        assertThat(listener.receiving()).isTrue();
        assertThat(indexOf(listener.parent())).isNotEqualTo(2);
        List<Long> seqs = played.get(3);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
        assertThat(listener.stats().repairs).isEqualTo(1);
    }

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
    void gapPullFromANeighbourBridgesARepairLongerThanThePlayoutDelay() {
        add(true, 2);
        stream();
        ChannelTree neighbour = add(false, 0); // takes one of the source's slots; relays nothing
        neighbour.join();
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 1);
        relay.join();
        sim.runUntil(4_000);
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(8_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        // the relay dies and, for 8 s, the listener cannot reach the source (a routing problem):
        // only the neighbour, a pure listener, can help, by answering gap pulls
        net.block(nodes.get(0), nodes.get(3));
        net.crash(nodes.get(2));
        sim.schedule(8_000, () -> net.unblock(nodes.get(0), nodes.get(3)));
        sim.runUntil(30_000);
        assertThat(listener.receiving()).isTrue();
        assertThat(listener.stats().repairMillis).singleElement().satisfies(ms -> assertThat(ms).isGreaterThan(3_000));
        assertThat(listener.stats().chunksPulled).isGreaterThan(0);
        assertThat(neighbour.stats().pullsServed).isGreaterThan(0);
        assertThat(trees.get(0).stats().pullsServed).as("the source is never asked").isZero();
        List<Long> seqs = played.get(3);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
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

    @Test
    void aPausedSourceDoesNotMakeTheTreeFallApart() {
        add(true, 2);
        stream();
        for (int i = 0; i < 6; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_000);
        }
        sim.runUntil(10_000);
        paused = true; // the source client went away for 20 s (a DJ change, a network blip)
        sim.runUntil(30_000);
        for (ChannelTree t : trees) {
            assertThat(t.stats().parentLosses).as("nobody blames its parent for the source's silence").isZero();
        }
        paused = false;
        long resumedAt = nextSeq;
        sim.runUntil(34_000);
        for (int i = 1; i < trees.size(); i++) {
            assertThat(played.get(i)).as("listener %d hears the source again", i).contains(resumedAt);
        }
    }

    @Test
    void aParentFreesTheSlotOfACrashedChildWithinTheSilenceLimit() {
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        assertThat(trees.get(0).freeSlots()).isZero();
        net.crash(nodes.get(1)); // the link would only report it after 5 s
        sim.runUntil(3_000 + TreeConfig.relay(1).parentSilenceMillis() + 600);
        assertThat(trees.get(0).freeSlots()).isEqualTo(1);
        assertThat(trees.get(0).stats().childrenLost).isEqualTo(1);
    }

    @Test
    void aFullParentRedirectsToItsChildrenThatCanRelay() {
        add(true, 2);
        stream();
        add(false, 0).join(); // a pure listener: never a redirect target
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 3);
        relay.join();
        sim.runUntil(4_000);
        SimNode asker = net.addNode(NodeId.random(random));
        List<TreeMessage.Refuse> refusals = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(TreeMessage.Refuse.class, (from, r) -> refusals.add(r)));
        asker.send(nodes.get(0).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 0));
        sim.runUntil(5_000);
        assertThat(refusals).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("no free relay slot");
            assertThat(r.alternatives().get(0).id()).isEqualTo(nodes.get(2).localAddress().id());
            assertThat(r.alternatives()).noneMatch(s -> s.id().equals(nodes.get(1).localAddress().id()));
        });
    }

    @Test
    void crashedPeersThatGossipStillRanksFirstArePassedOverInTheNextRepair() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 3); // two live relays below the source
        for (int i = 0; i < 3; i++) { // three dead relays whose last states look better
            SimNode dead = net.addNode(NodeId.random(random));
            ghosts.add(new PeerState(dead.localAddress(), 1, 4, 0, 100_000, 0, 0));
            net.crash(dead);
        }
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(sim.now() + 12_000); // three ATTACHes time out (2 s each), then a live relay
        assertThat(listener.receiving()).isTrue();
        net.crash(nodes.get(indexOf(listener.parent())));
        sim.runUntil(sim.now() + 15_000);
        assertThat(listener.receiving()).isTrue();
        // the repair went straight to the other live relay; before, it tried the three dead first
        assertThat(listener.stats().repairMillis).singleElement().satisfies(ms -> assertThat(ms).isLessThan(4_000));
    }

    @Test
    void anAttachUnansweredForTheHedgeDelayIsJoinedByAnotherUpToThreeAtOnce() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 3); // the source full, two live relays
        for (int i = 0; i < 4; i++) { // four crashed relays whose last states look better
            SimNode dead = net.addNode(NodeId.random(random));
            ghosts.add(new PeerState(dead.localAddress(), 1, 4, 0, 100_000, 0, 0));
            net.crash(dead);
        }
        ChannelTree listener = add(false, 0);
        long joined = sim.now();
        listener.join();
        sim.runUntil(joined + 2 * ChannelTree.HEDGE_MILLIS + 100);
        assertThat(listener.stats().attachesSent).isEqualTo(3); // at 0, 750 and 1500 ms: none answered
        sim.runUntil(joined + 1_999);
        assertThat(listener.stats().attachesSent).isEqualTo(3); // three out at most
        sim.runUntil(joined + 4_000); // one at a time, the four dead cost 2 s each first
        assertThat(listener.receiving()).isTrue();
        assertThat(indexOf(listener.parent())).isIn(1, 2);
        assertThat(trees.get(1).children().size() + trees.get(2).children().size()).isEqualTo(1);
    }

    @Test
    void theFullSourceRedirectsOnlyToItsChildren() {
        add(true, 2);
        stream();
        for (int i = 0; i < 5; i++) { // two relays below the source, three more below them
            visibleOnly = i < 2 ? 0 : 1;
            add(false, 2).join();
            sim.runUntil(sim.now() + 2_000);
        }
        visibleOnly = -1;
        Set<NodeId> sourceChildren = new HashSet<>();
        for (int i = 1; i < trees.size(); i++) {
            if (trees.get(i).depth() == 1) {
                sourceChildren.add(nodes.get(i).localAddress().id());
            }
        }
        assertThat(sourceChildren).hasSize(2);
        SimNode asker = net.addNode(NodeId.random(random));
        List<TreeMessage.Refuse> refusals = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(TreeMessage.Refuse.class, (from, r) -> refusals.add(r)));
        asker.send(nodes.get(0).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 2));
        sim.runUntil(sim.now() + 1_000);
        // its upload is the channel's bottleneck: no list of the shallowest peers it knows
        assertThat(refusals).singleElement().satisfies(r -> assertThat(r.alternatives()).isNotEmpty()
                .allSatisfy(st -> assertThat(sourceChildren).contains(st.id())));
    }

    @Test
    void aPeerThatRefusedIsNotAskedAgainUntilANewerStateOfItArrives() {
        add(true, 1);
        stream();
        int[] slots = {1, 1, 0}; // a chain: source → A → B → C, all full
        for (int k = 0; k < 3; k++) {
            visibleOnly = trees.size() - 1;
            add(false, slots[k]).join();
            sim.runUntil(sim.now() + 2_000);
        }
        assertThat(trees.get(3).depth()).isEqualTo(3);
        visibleOnly = -1;
        staleOracle = true; // gossip keeps showing the source and A with their slots free
        attachLog.clear();
        sim.runUntil(sim.now() + 120_000);
        // B and C each ask a shallower full peer once and believe its refusal (before: every 15 s)
        for (String asker : List.of("2->", "3->")) {
            for (String to : List.of("0", "1")) {
                assertThat(attachLog.stream().filter((asker + to)::equals).count()).as(asker + to).isLessThanOrEqualTo(1);
            }
        }
        assertThat(trees.get(3).depth()).isEqualTo(3);
        long before = attachLog.stream().filter("3->0"::equals).count();
        oracleVersion = 1; // the source's state changed since: worth asking again, once
        sim.runUntil(sim.now() + 120_000);
        assertThat(attachLog.stream().filter("3->0"::equals).count()).isEqualTo(before + 1);
    }

    @Test
    void theOrphansOfASourceChildRefillItsSlotBeforeTryingBackups() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 2); // A and B
        visibleOnly = 1;
        ChannelTree c = add(false, 1); // C under A
        c.join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = -1;
        sourceShownFull = true; // as gossip shows it: its free slots are offered by the directory only
        sim.runUntil(sim.now() + 3_000);
        c.refreshBackups();
        assertThat(c.depth()).isEqualTo(2);
        assertThat(c.backups()).first().isEqualTo(nodes.get(2).localAddress()); // B, at depth 1 with free slots
        attachLog.clear();
        net.crash(nodes.get(1));
        sim.runUntil(sim.now() + 10_000);
        assertThat(attachLog.stream().filter(e -> e.startsWith("3->")).findFirst()).contains("3->0");
        assertThat(c.depth()).isEqualTo(1);
        assertNoSkipNoRepeat(played.get(3));
    }

    @Test
    void repairTriesTheGrandparentBeforeShallowerStrangers() {
        add(true, 4);
        stream();
        for (int k = 0; k < 3; k++) { // strangers at depth 1 with free slots, all shallower than B
            visibleOnly = 0;
            ChannelTree x = add(false, 2);
            x.join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(x.depth()).isEqualTo(1);
        }
        // a chain: A under the source, B under A, R under B, L under R (each sees only its parent-to-be)
        int[] chain = new int[4];
        int[] slots = {1, 1, 1, 0};
        for (int k = 0; k < 4; k++) {
            visibleOnly = k == 0 ? 0 : chain[k - 1];
            ChannelTree t = add(false, slots[k]);
            chain[k] = trees.size() - 1;
            t.join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(indexOf(t.parent())).isEqualTo(visibleOnly);
        }
        visibleOnly = -1;
        ChannelTree l = trees.get(chain[3]);
        attachLog.clear();
        net.crash(nodes.get(chain[2]));
        sim.runUntil(sim.now() + 10_000);
        String first = attachLog.stream().filter(e -> e.startsWith(chain[3] + "->")).findFirst().orElseThrow();
        assertThat(first).as("the grandparent B first").isEqualTo(chain[3] + "->" + chain[1]);
        assertThat(l.receiving()).isTrue();
    }

    @Test
    void anOrphanTriesItsGrandparentBeforeADeeperBackup() {
        add(true, 1);
        stream();
        // source → A (3 slots) → P → X, and A → Z1 → Z2 (Z2 has room, two levels below A)
        int[] parentOf = {-1, 0, 1, 2, 1, 4};
        int[] slotCounts = {0, 3, 1, 1, 1, 2};
        for (int i = 1; i < parentOf.length; i++) {
            visibleOnly = parentOf[i];
            add(false, slotCounts[i]).join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(indexOf(trees.get(i).parent())).isEqualTo(parentOf[i]);
        }
        ChannelTree x = trees.get(3);
        visibleOnly = 5; // gossip shows X only Z2: its best backup, at depth 3
        x.refreshBackups();
        assertThat(x.backups()).extracting(this::indexOf).containsExactly(5);
        net.crash(nodes.get(2));
        sim.runUntil(sim.now() + 10_000);
        assertThat(indexOf(x.parent())).as("the grandparent A, one level up").isEqualTo(1);
        assertThat(x.depth()).isEqualTo(2);
        assertNoSkipNoRepeat(played.get(3));
    }

    @Test
    void theSourceSeesTheTreeBelowItThroughSubtreeReports() {
        add(true, 2);
        stream();
        for (int i = 1; i <= 9; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_500);
        }
        sim.runUntil(sim.now() + 60_000); // re-balancing settles; reports climb one level per 5 s at most
        List<TreeMessage.Subtree.Entry> view = trees.get(0).subtree(1_000);
        assertThat(view).hasSize(9);
        for (int k = 0; k < view.size(); k++) {
            TreeMessage.Subtree.Entry e = view.get(k);
            ChannelTree t = trees.get(indexOf(e.peer()));
            // each entry's parent is the node's real parent, and parents come before their children
            int expectedParent = indexOf(t.parent());
            assertThat(e.parent()).isLessThan(k);
            assertThat(e.parent() < 0 ? 0 : indexOf(view.get(e.parent()).peer())).isEqualTo(expectedParent);
        }
        // a crashed relay's subtree leaves the view once its slot is freed and the orphans re-report
        int relay = indexOf(view.get(0).peer());
        net.crash(nodes.get(relay));
        sim.runUntil(sim.now() + 30_000);
        assertThat(trees.get(0).subtree(1_000)).hasSize(8)
                .noneMatch(e -> e.peer().id().equals(nodes.get(relay).localAddress().id()));
        assertThat(trees.get(0).subtree(3)).hasSize(3); // cut to the limit, breadth-first
    }

    @Test
    void aRelayTakesAPureListenersSlotAndTheListenerMovesBelowItWithoutASkip() {
        add(true, 1);
        stream();
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(4_000);
        assertThat(listener.depth()).isEqualTo(1);
        assertThat(trees.get(0).listenerChildren()).isEqualTo(1);
        ChannelTree relay = add(false, 2);
        relay.join(); // the source is full, but its only child relays nothing
        sim.runUntil(12_000);
        assertThat(relay.depth()).isEqualTo(1);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        assertThat(listener.depth()).isEqualTo(2);
        assertThat(listener.stats().displaced).isEqualTo(1);
        assertThat(listener.stats().repairs).as("a planned move, not a repair").isZero();
        assertThat(trees.get(0).stats().displacedOthers).isEqualTo(1);
        List<Long> seqs = played.get(1);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
        // a pure listener never displaces anyone
        ChannelTree late = add(false, 0);
        late.join();
        sim.runUntil(20_000);
        assertThat(indexOf(late.parent())).isEqualTo(2);
        assertThat(listener.stats().displaced).isEqualTo(1);
    }

    @Test
    void rebalancingMovesDeepNodesUpWithoutASkipAndThenSettles() {
        add(true, 4);
        stream();
        chainBelowTheSource(1, 1, 1, 0); // source → A → B → C → D
        assertThat(trees.get(4).depth()).isEqualTo(4);
        visibleOnly = -1; // now everyone sees the source's three free slots
        sim.runUntil(sim.now() + 60_000);
        for (int i = 1; i <= 4; i++) {
            assertThat(trees.get(i).depth()).as("node %d", i).isBetween(1, 2);
        }
        long moves = trees.stream().mapToLong(t -> t.stats().moves).sum();
        assertThat(moves).isGreaterThanOrEqualTo(2);
        sim.runUntil(sim.now() + 120_000);
        assertThat(trees.stream().mapToLong(t -> t.stats().moves).sum()).as("settled: no more moves").isEqualTo(moves);
        assertNoSkipNoRepeat(played.get(4));
        assertThat(trees.get(4).stats().repairs).as("moves are not repairs").isZero();
    }

    @Test
    void freeSlotsAboveTravelDownTheTreeAndDeepNodesMoveUpToThem() {
        add(true, 1);
        stream();
        chainBelowTheSource(3, 1, 1, 0); // source → A (3 slots) → B → C → D
        assertThat(trees.get(4).depth()).isEqualTo(4);
        visibleOnly = trees.size(); // from now on gossip shows nobody: only Room can tell of A's two free slots
        long[] versions = new long[trees.size()];
        List<String> states = new ArrayList<>(java.util.Collections.nCopies(trees.size(), ""));
        shareRoomEverySecond(versions, states);
        sim.runUntil(sim.now() + 60_000);
        for (int i = 2; i <= 4; i++) {
            assertThat(trees.get(i).depth()).as("node %d moved up below A", i).isEqualTo(2);
            assertThat(indexOf(trees.get(i).parent())).isEqualTo(1);
        }
        assertNoSkipNoRepeat(played.get(4));
        assertThat(trees.get(4).stats().repairs).as("moves are not repairs").isZero();
    }

    /** What ChannelPeer does once a second: each tree shares its gossip state (version bumped on change). */
    private void shareRoomEverySecond(long[] versions, List<String> states) {
        sim.schedule(1_000, () -> {
            for (int i = 1; i < trees.size(); i++) {
                ChannelTree t = trees.get(i);
                if (!t.receiving()) {
                    continue;
                }
                String st = t.depth() + "/" + t.freeSlots() + "/" + t.listenerChildren();
                if (!st.equals(states.get(i))) {
                    states.set(i, st);
                    versions[i]++;
                }
                t.shareRoom(new PeerState(nodes.get(i).localAddress(), t.depth(), t.freeSlots(),
                        t.listenerChildren(), 1000, 0, versions[i]));
            }
            shareRoomEverySecond(versions, states);
        });
    }
}
