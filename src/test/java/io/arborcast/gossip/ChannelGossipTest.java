package io.arborcast.gossip;

import io.arborcast.core.GossipMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Each gossip rule in virtual time, on the simulated network with a fixed seed. */
class ChannelGossipTest {
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim,
            new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 30_000),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 9);
    private final Random random = new Random(9);
    private final NodeId channel = NodeId.random(random);
    private final GossipConfig config = GossipConfig.defaults();
    private final List<ChannelGossip> peers = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<String> deaths = new ArrayList<>();

    private ChannelGossip add() {
        return add(config);
    }

    private ChannelGossip add(GossipConfig with) {
        SimNode node = net.addNode(NodeId.random(random));
        int index = peers.size();
        ChannelGossip g = new ChannelGossip(channel, with, node, node,
                (peer, why) -> deaths.add(index + " declared " + peer.id().shortHex() + ": " + why));
        node.setHandler(new MessageRouter().on(GossipMessage.class, g::onMessage).onLinkClosed(g::onLinkClosed));
        peers.add(g);
        nodes.add(node);
        return g;
    }

    private PeerAddress addr(int i) {
        return nodes.get(i).localAddress();
    }

    private void grow(int n) {
        add();
        for (int i = 1; i < n; i++) {
            ChannelGossip g = add();
            g.join(addr(random.nextInt(i)));
            sim.runUntil(sim.now() + 200);
        }
        sim.runUntil(sim.now() + 3 * config.shuffleMillis()); // a few shuffles each
    }

    private List<NodeId> activeIds(int i) {
        return peers.get(i).activeView().stream().map(PeerState::id).toList();
    }

    @Test
    void joinMakesContactAndJoinerNeighbours() {
        ChannelGossip a = add();
        ChannelGossip b = add();
        b.join(addr(0));
        sim.runUntil(2_000);
        assertThat(activeIds(0)).containsExactly(addr(1).id());
        assertThat(activeIds(1)).containsExactly(addr(0).id());
        assertThat(a.isActive(addr(1).id())).isTrue();
    }

    @Test
    void forwardJoinsBuildBoundedSymmetricActiveViewsAndShufflesFillPassiveViews() {
        grow(60);
        for (int i = 0; i < 60; i++) {
            List<NodeId> active = activeIds(i);
            assertThat(active).hasSizeBetween(1, config.activeSize()).doesNotHaveDuplicates()
                    .doesNotContain(addr(i).id());
            for (NodeId other : active) { // symmetric
                int j = indexOf(other);
                assertThat(activeIds(j)).as("%d in %d's view but not back", j, i).contains(addr(i).id());
            }
            List<NodeId> passive = peers.get(i).passiveView().stream().map(PeerState::id).toList();
            assertThat(passive).hasSizeBetween(config.activeSize(), config.passiveSize()).doesNotHaveDuplicates()
                    .doesNotContain(addr(i).id()).doesNotContainAnyElementsOf(active);
        }
        assertThat(deaths).isEmpty(); // a quiet network declares nobody dead
        assertThat(peers.stream().mapToLong(p -> p.stats().shuffles).sum()).isGreaterThan(60);
    }

    @Test
    void crashedNeighbourIsDeclaredDeadWithinEightSecondsAndReplacedFromThePassiveView() {
        grow(40);
        int victim = 7;
        List<Integer> watchers = new ArrayList<>();
        for (NodeId id : activeIds(victim)) {
            watchers.add(indexOf(id));
        }
        long crashAt = sim.now();
        net.crash(nodes.get(victim));
        // suspected after 6.5 s of silence, at the next state round (0.5 s); the probe's timeout (1 s)
        long declared = config.suspectMillis() + config.stateMillis() + 2 * config.probeMillis();
        assertThat(declared).isEqualTo(8_000);
        sim.runUntil(crashAt + declared);
        for (int w : watchers) {
            assertThat(activeIds(w)).doesNotContain(addr(victim).id());
        }
        assertThat(deaths).hasSize(watchers.size()).allMatch(d -> d.contains(addr(victim).id().shortHex()));
        sim.runUntil(crashAt + declared + 5_000);
        // each asked passive peers to replace the dead one; those with room accepted
        int refilled = 0;
        for (int w : watchers) {
            assertThat(peers.get(w).stats().promotions).isGreaterThan(0);
            assertThat(activeIds(w)).hasSizeGreaterThanOrEqualTo(config.activeSize() - 1);
            refilled += activeIds(w).size() == config.activeSize() ? 1 : 0;
        }
        assertThat(refilled).isGreaterThanOrEqualTo(watchers.size() - 1);
    }

    @Test
    void indirectProbeSavesAPeerOnlyOnePathLost() {
        grow(30);
        int a = 3;
        int b = indexOf(activeIds(a).get(0));
        deaths.clear();
        net.block(nodes.get(a), nodes.get(b)); // a and b cannot hear each other; others hear both
        sim.runUntil(sim.now() + 6_500);
        // a suspected b, asked another neighbour to probe, and heard that b is alive
        assertThat(peers.get(a).stats().suspicions).isGreaterThanOrEqualTo(1);
        assertThat(peers.get(a).stats().suspicionsCleared).isGreaterThanOrEqualTo(1);
        assertThat(deaths).noneMatch(d -> d.startsWith(a + " declared " + addr(b).id().shortHex()));
    }

    @Test
    void aQuietNeighbourGetsAPlainHeartbeatEveryHeartbeatInterval() {
        grow(20);
        long sentBefore = peers.stream().mapToLong(p -> p.stats().heartbeatsSent).sum();
        int links = peers.stream().mapToInt(p -> p.activeView().size()).sum(); // each counted at both ends
        sim.runUntil(sim.now() + 40_000);
        long sent = peers.stream().mapToLong(p -> p.stats().heartbeatsSent).sum() - sentBefore;
        // 40 s at one heartbeat per 4 s each way (a state round every 0.5 s would send eight times
        // as many); a shuffle to a neighbour stands in for one
        assertThat(sent).isBetween(links * 9L, links * 10L);
        assertThat(deaths).isEmpty();
    }

    @Test
    void newerStateTravelsWithHeartbeats() {
        grow(10);
        int a = 2;
        int b = indexOf(activeIds(a).get(0));
        peers.get(a).setLocalState(3, 2, 1, 5000, null);
        sim.runUntil(sim.now() + 800); // the next state round (0.5 s) and one-way latency
        PeerState seen = peers.get(b).activeView().stream().filter(p -> p.id().equals(addr(a).id())).findFirst()
                .orElseThrow();
        assertThat(seen.depth()).isEqualTo(3);
        assertThat(seen.freeSlots()).isEqualTo(2);
        assertThat(seen.uploadKbps()).isEqualTo(5000);
        assertThat(seen.version()).isEqualTo(peers.get(a).self().version());
    }

    @Test
    void forgedAndMalformedGossipIsDropped() {
        ChannelGossip a = add();
        add();
        PeerState impostor = new PeerState(new PeerAddress(NodeId.random(random), "10.9.9.9", 7144), 0, 4, 0, 0, 0, 1);
        a.onMessage(addr(1), new GossipMessage.Join(channel, impostor)); // claims to be someone else
        a.onMessage(addr(0), new GossipMessage.Join(channel, a.self())); // from ourselves
        assertThat(a.activeView()).isEmpty();
        assertThat(a.stats().dropped).isEqualTo(2);
        // a shuffle sample naming us or repeating an entry adds neither
        PeerState other = new PeerState(addr(1), 0, 1, 0, 0, 0, 0);
        a.onMessage(addr(1), new GossipMessage.ShuffleReply(channel, List.of(a.self(), other, other)));
        assertThat(a.passiveView()).containsExactly(other);
    }

    @Test
    void aPeerRefusingBySilenceFallsOutOfTheAskersPassiveViewWhereARefusalKeepsIt() {
        for (boolean silent : new boolean[] {false, true}) {
            int first = peers.size();
            ChannelGossip full = add(config.withActiveSize(1)); // first: its one active slot is taken
            if (silent) {
                full.refuseBySilence();
            }
            add().join(addr(first));
            ChannelGossip asker = add();
            add();
            asker.join(addr(first + 3)); // one neighbour of five: asks passive peers for more
            sim.runUntil(sim.now() + 2_000);
            asker.onMessage(addr(first + 3), new GossipMessage.ShuffleReply(channel, List.of(full.self())));
            assertThat(asker.passiveView()).extracting(PeerState::id).contains(addr(first).id());
            sim.runUntil(sim.now() + 3_000); // a heartbeat round asks it; the answer or the timeout comes

            assertThat(activeIds(first)).containsExactly(addr(first + 1).id());
            assertThat(activeIds(first + 2)).containsExactly(addr(first + 3).id());
            if (silent) {
                assertThat(asker.passiveView()).extracting(PeerState::id).doesNotContain(addr(first).id());
                assertThat(full.stats().dropped).isEqualTo(1);
                // nor does it take an urgent asker in: one with no neighbour has other passive peers
                full.onMessage(addr(first + 2), new GossipMessage.Neighbor(channel, asker.self(), true));
                assertThat(activeIds(first)).containsExactly(addr(first + 1).id());
                assertThat(full.stats().dropped).isEqualTo(2);
            } else {
                assertThat(asker.passiveView()).extracting(PeerState::id).contains(addr(first).id());
            }
        }
    }

    @Test
    void cleanLeaveIsNoticedWithoutTimeouts() {
        grow(20);
        int leaver = 5;
        List<Integer> watchers = activeIds(leaver).stream().map(this::indexOf).toList();
        peers.get(leaver).leave();
        sim.runUntil(sim.now() + 500);
        for (int w : watchers) {
            assertThat(activeIds(w)).doesNotContain(addr(leaver).id());
        }
    }

    @Test
    void aPeerNobodyCanDialLinksOutAndIsNeverKeptToBeDialledLater() {
        grow(30);
        ChannelGossip nated = add();
        SimNode node = nodes.get(nodes.size() - 1);
        node.setReachable(false); // its router refuses every connect from outside
        nated.setLocalState(0, 0, 0, 0, node.localAddress()); // not attached yet: its own address as via
        List<PeerState> seenByOthers = new ArrayList<>();
        peers.get(3).setObserver(seenByOthers::add);
        nated.join(addr(3));
        sim.runUntil(sim.now() + 120_000); // forward joins, four shuffle rounds, heartbeats

        assertThat(nated.activeView()).as("its own links carry it").isNotEmpty();
        for (int i = 0; i < peers.size() - 1; i++) {
            assertThat(peers.get(i).passiveView()).extracting(PeerState::id).as("peer " + i)
                    .doesNotContain(node.localAddress().id());
        }
        assertThat(deaths).noneMatch(d -> d.contains(node.localAddress().id().shortHex()));
        assertThat(seenByOthers).extracting(PeerState::id).as("the tree still hears of it")
                .contains(node.localAddress().id());
    }

    private int indexOf(NodeId id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (addr(i).id().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("unknown " + id);
    }
}
