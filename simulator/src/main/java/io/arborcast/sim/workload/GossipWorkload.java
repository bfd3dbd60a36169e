package io.arborcast.sim.workload;

import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.report.Summary;
import io.arborcast.sim.scenario.Scenario;

import io.arborcast.core.GossipMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.gossip.ChannelGossip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The gossip workload: the scenario's peers join one channel's overlay one after another,
 * each through a random member; optionally a share of them crashes at once. Measured:
 * the largest connected component of the survivors' active views (before the crash and
 * {@code measure-after} later), death declarations of peers that were in fact alive (false
 * positives), crash-to-declaration times, and control bytes per peer per second.
 */
final class GossipWorkload implements Workload {
    private final Scenario s;
    private final Simulation sim;
    private final SimNetwork net;
    private final Random random;
    private final NodeId channel;
    private final Random idRandom;
    private final List<ChannelGossip> peers = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<Integer, Long> crashedAt = new HashMap<>();
    private final Stats detection = new Stats();
    private final long crashAt;
    private final long endAt;
    private long falsePositives;
    private double componentBefore = Double.NaN;
    private double componentAfter = Double.NaN;
    private double bytesPerPeerPerSecond = Double.NaN;
    private long steadyStartBytes;
    private long steadyStartAt;

    GossipWorkload(Scenario s, Simulation sim, SimNetwork net) {
        this.s = s;
        this.sim = sim;
        this.net = net;
        this.random = new Random(s.seed() * 17 + 3);
        this.idRandom = new Random(s.seed());
        this.channel = NodeId.random(new Random(s.seed() + 99));
        long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
        long settle = joinsEnd + s.workload().settleMillis();
        this.crashAt = s.faults().massFailureAt() >= 0 ? Math.max(s.faults().massFailureAt(), settle) : settle;
        this.endAt = crashAt + s.workload().measureAfterMillis();
    }

    @Override
    public void start() {
        add();
        for (int i = 1; i < s.nodes(); i++) {
            sim.at(i * s.workload().joinIntervalMillis(), () -> {
                SimNode contact = Workload.randomLive(nodes, random);
                add().join(contact.localAddress());
            });
        }
        long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
        // control traffic is measured over the steady state between settling and the crash
        sim.at(joinsEnd + s.workload().settleMillis() / 2, () -> {
            steadyStartBytes = net.traffic().controlBytes();
            steadyStartAt = sim.now();
        });
        sim.at(crashAt, () -> {
            long seconds = Math.max(1, (sim.now() - steadyStartAt) / 1000);
            bytesPerPeerPerSecond = (double) (net.traffic().controlBytes() - steadyStartBytes) / seconds
                    / net.liveNodes();
            componentBefore = largestComponentShare();
            if (s.faults().massFailureAt() >= 0) {
                for (SimNode n : nodes) {
                    if (n.alive() && random.nextDouble() < s.faults().massFailureFraction()) {
                        crashedAt.put(n.index(), sim.now());
                        net.crash(n);
                    }
                }
            }
        });
        sim.at(endAt, () -> componentAfter = largestComponentShare());
    }

    private ChannelGossip add() {
        SimNode node = net.addNode(NodeId.random(idRandom));
        node.setUploadBytesPerSec(s.uploadBytesPerSec());
        ChannelGossip g = new ChannelGossip(channel, s.gossip(), node, node, (peer, why) -> {
            long at = node.now();
            net.serially(node, () -> declared(peer, at));
        });
        g.setLocalState(1 + random.nextInt(8), random.nextInt(4), 0, 1000, null);
        node.setHandler(new MessageRouter().on(GossipMessage.class, g::onMessage).onLinkClosed(g::onLinkClosed));
        peers.add(g);
        nodes.add(node);
        return g;
    }

    /** A peer declared {@code dead} (at {@code now}): a true detection or a false positive. */
    private void declared(PeerAddress dead, long now) {
        SimNode d = net.resolve(dead);
        if (d == null) {
            return;
        }
        Long at = crashedAt.get(d.index());
        if (d.alive() || at == null) {
            falsePositives++;
        } else {
            detection.add(now - at);
        }
    }

    /** Share of live peers in the largest connected component of the active-view graph (edges both ways). */
    double largestComponentShare() {
        Map<NodeId, Integer> indexOf = new HashMap<>();
        for (SimNode n : nodes) {
            indexOf.put(n.localAddress().id(), n.index());
        }
        int count = nodes.size();
        List<List<Integer>> adj = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            adj.add(new ArrayList<>());
        }
        int live = 0;
        for (int i = 0; i < count; i++) {
            if (!nodes.get(i).alive()) {
                continue;
            }
            live++;
            for (PeerState p : peers.get(i).activeView()) {
                Integer j = indexOf.get(p.id());
                if (j != null && nodes.get(j).alive()) {
                    adj.get(i).add(j);
                    adj.get(j).add(i);
                }
            }
        }
        boolean[] seen = new boolean[count];
        int best = 0;
        for (int i = 0; i < count; i++) {
            if (seen[i] || !nodes.get(i).alive()) {
                continue;
            }
            int size = 0;
            ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(i));
            seen[i] = true;
            while (!queue.isEmpty()) {
                int u = queue.poll();
                size++;
                for (int v : adj.get(u)) {
                    if (!seen[v]) {
                        seen[v] = true;
                        queue.add(v);
                    }
                }
            }
            best = Math.max(best, size);
        }
        return Stats.share(best, live);
    }

    @Override
    public boolean done() {
        return sim.now() >= endAt;
    }

    @Override
    public long expectedEndMillis() {
        return endAt;
    }

    @Override
    public List<String> columns() {
        return List.of("deathsDetected", "falsePositiveDeaths");
    }

    @Override
    public double[] sample() {
        return new double[] {detection.count(), falsePositives};
    }

    @Override
    public Summary.Gossip summary(Map<String, Stats> samples) {
        double peerHours = 0;
        for (SimNode n : nodes) {
            Long at = crashedAt.get(n.index());
            peerHours += ((at != null ? at : sim.now()) - 0) / 3_600_000.0;
        }
        double activeMean = 0;
        int live = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).alive()) {
                activeMean += peers.get(i).activeView().size();
                live++;
            }
        }
        samples.put("detectionMs", detection);
        return new Summary.Gossip(componentAfter, componentBefore, crashedAt.size(), falsePositives,
                Stats.share(falsePositives, peerHours), detection.count(), detection.percentile(50),
                detection.percentile(99), bytesPerPeerPerSecond, Stats.share(activeMean, live));
    }
}
