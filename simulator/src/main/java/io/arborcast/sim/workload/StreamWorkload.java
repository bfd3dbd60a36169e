package io.arborcast.sim.workload;

import io.arborcast.sim.attack.Forgery;
import io.arborcast.sim.attack.InterceptingTransport;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.NatClass;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.report.Histogram;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.report.Summary;
import io.arborcast.sim.scenario.Scenario;

import io.arborcast.core.Message;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.stream.Chunks;
import io.arborcast.stream.Playout;
import io.arborcast.channel.ChannelPeer;
import io.arborcast.tree.ChannelTree;
import io.arborcast.tree.TreeConfig;
import io.arborcast.tree.TreeEvents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The stream workload: one source publishes signed chunks at the scenario's bitrate; listeners
 * join (gossip through a random member, then the relay tree), play out in order, and come and
 * go with churn and failures. Measured by the field's definitions: continuity index, startup
 * delay, repair latency, skipped and duplicated chunks, latency (source cut to playout, per
 * chunk), depth, source upload ratio, control overhead.
 */
final class StreamWorkload implements Workload {
    /** One listener's state and measurements. */
    private static final class Peer {
        final SimNode node;
        final ChannelPeer channel;
        final ChannelTree tree;
        Playout playout;
        long joinedAt;
        long firstPlayedAt = -1;
        long firstSeq = -1;
        long played;
        long leftAt = -1;
        /** Its player (the scenario's kind). */
        PlayerModel player;
        /** A player that keeps time beside it, when the scenario's catches up (its lag for comparison); else null. */
        PlayerModel keepTime;
        final int index;
        /** A forger (scenario attack): relays corrupted or forged chunks. */
        boolean hostile;
        /** Chunks this listener played that are not the source's bytes. */
        long forgedPlayed;
        /** Its parent crashed in the mass failure. */
        boolean orphanedByFailure;
        /** When the first chunk from a new parent came after that; -1 until then. */
        long refedAt = -1;
        /** How it can be reached (the source: public). */
        NatClass nat = NatClass.PUBLIC;
        /** Its uplink's class (scenario upload-classes), or null. */
        Scenario.UploadClass uploadClass;

        Peer(SimNode node, ChannelPeer channel, int index) {
            this.index = index;
            this.node = node;
            this.channel = channel;
            this.tree = channel.tree();
        }
    }

    private final Scenario s;
    private final Simulation sim;
    private final SimNetwork net;
    private final Random random;
    private final Random idRandom;
    private final ChannelKey key;
    private final List<Peer> peers = new ArrayList<>();
    private final Map<NodeId, Peer> byId = new HashMap<>();
    /**
     * How long after the source cut it each chunk was played by an honest listener's player (ms;
     * {@link PlayerModel}), one histogram per partition (summed at the end: counts do not depend on the order).
     */
    private final Histogram[] lags;
    /** The same for players that keep time, when the scenario's catch up. */
    private final Histogram[] keepTimeLags;
    /** Chunks whose signature checked out, by seq: the partitions' nodes check at once. */
    private final Map<Long, Chunk> verified = new java.util.concurrent.ConcurrentHashMap<>();
    private final SimDirectory directory;
    private final byte[] payload;
    private final long endAt;
    private long nextSeq;
    private long streamBytes;
    private long repairsSeen;
    private final Scenario.Attack attack;
    private final Random attackRandom;
    /** What a forger draws when it tampers, per partition (the first shares the attack's own: global events do not run beside it). */
    private final Random[] tamperRandoms;
    /** Draws the listeners' reachability classes (its own stream: all-public runs draw nothing else differently). */
    private final Random natRandom;
    private final Random uploadRandom;
    private final ChannelKey forgerKey;
    private final List<SimNode> flooders = new ArrayList<>();
    private long floodAttaches;
    private long floodPulls;
    private double lastContinuity = Double.NaN;

    StreamWorkload(Scenario s, Simulation sim, SimNetwork net) {
        this.s = s;
        this.sim = sim;
        this.net = net;
        this.random = new Random(s.seed() * 13 + 5);
        this.idRandom = new Random(s.seed());
        this.key = ChannelKey.fromSeed(s.seed());
        this.forgerKey = ChannelKey.fromSeed(s.seed() + 1);
        this.attack = s.faults().attack();
        this.attackRandom = new Random(s.seed() * 17 + 3);
        int partitions = s.engine().partitions();
        this.lags = new Histogram[partitions];
        this.keepTimeLags = new Histogram[partitions];
        this.tamperRandoms = new Random[partitions];
        for (int i = 0; i < partitions; i++) {
            lags[i] = new Histogram(60_000);
            keepTimeLags[i] = new Histogram(60_000);
            tamperRandoms[i] = i == 0 ? attackRandom : new Random(s.seed() * 17 + 3 + i);
        }
        this.natRandom = new Random(s.seed() * 19 + 11);
        this.uploadRandom = new Random(s.seed() * 23 + 13);
        this.directory = new SimDirectory(net, s.stream().directoryLatencyMillis(), s.seed() * 31 + 7);
        this.payload = new byte[(int) (s.stream().bitrateKbps() * 1000L / 8 * s.stream().chunkMillis() / 1000)];
        long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
        this.endAt = Math.min(s.durationMillis(), joinsEnd + s.workload().settleMillis()
                + s.workload().measureAfterMillis());
    }

    @Override
    public void start() {
        Peer source = add(true);
        source.node.watchUpload();
        source.channel.start(List.of());
        sim.at(0, this::publishLoop);
        for (int i = 1; i < s.nodes(); i++) {
            sim.at(i * s.workload().joinIntervalMillis(), this::joinOne);
        }
        if (s.churn().enabled()) {
            long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
            sim.at(joinsEnd, this::nextArrival);
        }
        if (attack.kind() == Scenario.AttackKind.ATTACH_FLOOD) {
            long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
            for (int i = 0; i < attack.nodes(); i++) {
                SimNode f = net.addNode(NodeId.random(attackRandom));
                f.setHandler(new MessageRouter()); // takes whatever comes and does nothing
                flooders.add(f);
                sim.at(joinsEnd / 2 + i, () -> flood(f));
            }
        }
        if (s.faults().massFailureAt() >= 0) {
            sim.at(s.faults().massFailureAt(), () -> {
                for (Peer p : peers) {
                    if (p != source && p.node.alive() && random.nextDouble() < s.faults().massFailureFraction()) {
                        depart(p, false);
                    }
                }
                for (Peer p : peers) {
                    PeerAddress parent = p.tree.parent();
                    p.orphanedByFailure = p.node.alive() && parent != null && !byId.get(parent.id()).node.alive();
                }
            });
        }
    }

    private Peer add(boolean isSource) {
        SimNode node = net.addNode(NodeId.random(idRandom));
        long upload = isSource ? s.bootstrapUploadBytesPerSec() : s.uploadBytesPerSec();
        int slots;
        Scenario.UploadClass uploadClass = null;
        if (isSource) {
            slots = s.stream().sourceSlots();
        } else if (!s.stream().uploadClasses().isEmpty()) {
            uploadClass = s.stream().uploadClass(uploadRandom.nextDouble());
            upload = uploadClass.kbps() * 1000L / 8;
            slots = slotsOf(uploadClass);
        } else {
            slots = random.nextDouble() < s.stream().zeroSlotShare() ? 0 : s.stream().relaySlots();
        }
        node.setUploadBytesPerSec(upload);
        TreeConfig tc = TreeConfig.relay(slots).withUpload(uploadClass == null ? 0 : uploadClass.kbps()).withStream(
                (int) Math.max(1, s.stream().bufferMillis() / s.stream().chunkMillis()),
                (int) (s.stream().prerollMillis() / s.stream().chunkMillis()), s.stream().playoutDelayMillis(),
                s.stream().gapPullAfterMillis());
        boolean hostile = attack.kind() == Scenario.AttackKind.FORGERS && slots > 0 && attackRandom.nextDouble() < attack.share();
        Transport transport = hostile ? new InterceptingTransport(node,
                new Forgery(attack.mode(), forgerKey, tamperRandoms[node.partition()])) : node;
        Peer[] holder = new Peer[1];
        int uploadKbps = (int) (upload * 8 / 1000);
        ChannelPeer channel = isSource
                ? ChannelPeer.source(key.channelId(), key.publicKey(), tc, s.gossip(), node, node,
                        directory.forNode(node), uploadKbps)
                : ChannelPeer.listener(key.channelId(), key.publicKey(), tc, s.gossip(), node, transport,
                        directory.forNode(node), uploadKbps, c -> holder[0].playout.onChunk(c));
        channel.tree().setVerifier(this::verify);
        Peer p = new Peer(node, channel, peers.size());
        channel.tree().setEvents(new TreeEvents() {
            @Override
            public void repaired(PeerAddress parent, long millis) {
                if (p.orphanedByFailure && p.refedAt < 0) {
                    p.refedAt = p.node.now();
                }
            }

            @Override
            public void attached(PeerAddress parent, int depth, boolean moved) {
                // a move away from the crashed parent before its loss was noticed: no repair, but
                // a new parent all the same (its replay follows the accept on the same link)
                if (moved && p.orphanedByFailure && p.refedAt < 0) {
                    p.refedAt = p.node.now();
                }
            }
        });
        p.hostile = hostile;
        p.uploadClass = uploadClass;
        if (!isSource) {
            p.nat = s.stream().nat().draw(natRandom.nextDouble());
            node.setReachable(p.nat.dialable());
            node.setPunchable(p.nat != NatClass.SYMMETRIC);
            channel.setDialable(p.nat.dialable()); // as its reachability check would find
        }
        byId.put(node.localAddress().id(), p);
        holder[0] = p;
        p.joinedAt = sim.now();
        p.playout = new Playout(node, s.stream().playoutDelayMillis(), c -> played(p, c));
        Scenario.Player pl = s.stream().player();
        long chunk = s.stream().chunkMillis();
        if (pl.kind() == Scenario.PlayerKind.CATCH_UP) {
            p.player = new PlayerModel(chunk, pl.catchUpRate(), pl.targetBufferMillis(), pl.maxTargetBufferMillis());
            p.keepTime = PlayerModel.keepingTime(chunk);
        } else {
            p.player = PlayerModel.keepingTime(chunk);
        }
        node.setHandler(new MessageRouter()
                .on(Message.class, channel::onMessage)
                .onLinkClosed(channel::onLinkClosed));
        peers.add(p);
        return p;
    }

    /** The relay slots a listener of upload class {@code c} has: what its upload feeds at the bitrate (tree.upload-kbps's rule), up to relay-slots. */
    private int slotsOf(Scenario.UploadClass c) {
        return TreeConfig.relay(s.stream().relaySlots()).withUpload(c.kbps())
                .slotsFor(s.stream().bitrateKbps(), s.stream().relaySlots());
    }

    /** Real Ed25519 once per distinct chunk object; the same object forwarded down the tree is known good. */
    private boolean verify(byte[] publicKey, Chunk c) {
        Chunk known = verified.get(c.seq());
        if (known == c) {
            return true;
        }
        boolean ok = Chunks.verify(publicKey, c);
        if (ok && known == null) {
            verified.put(c.seq(), c);
            verified.remove(c.seq() - 1000);
        }
        return ok;
    }

    private void publishLoop() {
        Chunk c = Chunks.sign(key, nextSeq++, sim.now(), payload);
        streamBytes += payload.length;
        peers.get(0).tree.publish(c);
        sim.after(s.stream().chunkMillis(), this::publishLoop);
    }

    private void joinOne() {
        Peer p = add(false);
        p.channel.start(List.of());
        if (s.churn().enabled()) {
            long session = s.churn().session().sampleMillis(random);
            sim.after(session, () -> depart(p, random.nextDouble() < s.churn().leaveShare()));
        }
    }

    private void nextArrival() {
        joinOne();
        sim.after(s.churn().nextArrivalGapMillis(random), this::nextArrival);
    }

    private void depart(Peer p, boolean clean) {
        if (!p.node.alive()) {
            return;
        }
        p.leftAt = sim.now();
        if (clean) {
            p.channel.leave();
            net.leave(p.node);
        } else {
            net.crash(p.node);
        }
    }

    private void played(Peer p, Chunk c) {
        if (c.payload() != payload && !java.util.Arrays.equals(c.payload(), payload)) {
            p.forgedPlayed++;
        }
        long now = p.node.now();
        if (p.firstPlayedAt < 0) {
            p.firstPlayedAt = now;
            p.firstSeq = c.seq();
        }
        p.played++;
        long lag = p.player.play(c.seq(), now) - c.timestamp();
        if (!p.hostile) {
            lags[p.node.partition()].add(lag);
            if (p.keepTime != null) {
                keepTimeLags[p.node.partition()].add(p.keepTime.play(c.seq(), now) - c.timestamp());
            }
        }
    }

    @Override
    public long expectedEndMillis() {
        return endAt;
    }

    @Override
    public boolean done() {
        return sim.now() >= endAt;
    }

    @Override
    public List<String> columns() {
        return List.of("receiving", "repairs", "meanDepth", "maxDepth");
    }

    /**
     * Each peer's true depth: hops from the source following the parent links as they are now
     * (not the node's own belief, which a path update may not have reached yet); -1 for a peer
     * not connected to the source (no parent, a dead parent on its way up, or a cycle).
     */
    private int[] trueDepths() {
        int[] depth = new int[peers.size()];
        java.util.Arrays.fill(depth, UNKNOWN);
        depth[0] = 0;
        int[] path = new int[peers.size()];
        for (Peer start : peers) {
            int n = 0;
            Peer p = start;
            int found;
            while (true) {
                int known = depth[p.index];
                if (known != UNKNOWN) {
                    found = known == VISITING ? -1 : known; // VISITING: we came round a cycle
                    break;
                }
                if (!p.node.alive() || p.tree.parent() == null) {
                    found = -1; // a cycle, or a break on the way up
                    break;
                }
                depth[p.index] = VISITING;
                path[n++] = p.index;
                Peer up = byId.get(p.tree.parent().id());
                if (up == null) {
                    found = -1;
                    break;
                }
                p = up;
            }
            for (int i = n - 1; i >= 0; i--) {
                found = found < 0 ? -1 : found + 1;
                depth[path[i]] = found;
            }
        }
        return depth;
    }

    /**
     * For each listener connected to the source at the end, the sum of the one-way base delays
     * along its path: the least lag its playout can have.
     */
    private Stats latencyFloors(int[] trueDepth) {
        Stats floors = new Stats();
        for (Peer p : peers.subList(1, peers.size())) {
            if (!p.node.alive() || trueDepth[p.index] <= 0 || p.hostile) {
                continue;
            }
            double sum = 0;
            for (Peer q = p; q.index != 0; ) {
                Peer up = byId.get(q.tree.parent().id());
                sum += net.latency().baseMillis(q.node, up.node);
                q = up;
            }
            floors.add(Math.round(sum));
        }
        return floors;
    }

    private static final int UNKNOWN = -2;
    private static final int VISITING = -3;

    @Override
    public double[] sample() {
        int receiving = 0;
        long repairs = 0;
        long depthSum = 0;
        int maxDepth = 0;
        int connected = 0;
        int[] depths = trueDepths();
        for (Peer p : peers) {
            if (p.node.alive() && p.tree.receiving()) {
                receiving++;
                if (depths[p.index] > 0) {
                    connected++;
                    depthSum += depths[p.index];
                    maxDepth = Math.max(maxDepth, depths[p.index]);
                }
            }
            repairs += p.tree.stats().repairs;
        }
        double[] row = {receiving, repairs - repairsSeen, connected == 0 ? 0 : (double) depthSum / connected, maxDepth};
        repairsSeen = repairs;
        return row;
    }

    /** What the listeners measured together played: continuity, skips, startup and repair delays. */
    private static final class Tally {
        long due;
        long playedOnTime;
        long skipped;
        long duplicates;
        long repairs;
        long stalls;
        long stalledMillis;
        long keepTimeStalls;
        long listenedMillis;
        final Stats startup = new Stats();
        final Stats repair = new Stats();

        double continuity() {
            return Stats.share(playedOnTime, due);
        }
    }

    /** Counts {@code p}, who stayed from its join until {@code leave}, into {@code t}. */
    private void tally(Tally t, Peer p, long leave, long delayChunks) {
        if (p.firstPlayedAt >= 0) {
            t.startup.add(p.firstPlayedAt - p.joinedAt);
            long lastDue = (leave / s.stream().chunkMillis()) - delayChunks - 1;
            long d = Math.max(p.played, lastDue - p.firstSeq + 1);
            t.due += d;
            t.playedOnTime += Math.min(p.played, d);
        } else {
            t.due += Math.max(0, (leave - p.joinedAt) / s.stream().chunkMillis() - delayChunks);
        }
        t.skipped += p.playout.skipped();
        t.duplicates += p.playout.duplicates();
        t.stalls += p.player.stalls();
        t.stalledMillis += p.player.stalledMillis();
        t.keepTimeStalls += (p.keepTime == null ? p.player : p.keepTime).stalls();
        t.listenedMillis += p.firstPlayedAt < 0 ? 0 : leave - p.firstPlayedAt;
        p.tree.stats().repairMillis.forEach(t.repair::add);
        t.repairs += p.tree.stats().repairs;
    }

    @Override
    public Summary.Stream summary(Map<String, Stats> samples) {
        long delayChunks = s.stream().playoutDelayMillis() / s.stream().chunkMillis();
        Tally all = new Tally();
        Map<NatClass, Tally> byClass = new java.util.EnumMap<>(NatClass.class);
        Map<Scenario.UploadClass, Tally> byUpload = new LinkedHashMap<>();
        Stats depth = new Stats();
        int[] trueDepth = trueDepths();
        long staleBeliefs = 0;
        long notConnected = 0;
        for (Peer p : peers.subList(1, peers.size())) {
            long leave = p.leftAt >= 0 ? p.leftAt : sim.now();
            if (leave - p.joinedAt < 60_000 || p.hostile) {
                continue; // the continuity of honest listeners who stayed at least a minute
            }
            tally(all, p, leave, delayChunks);
            tally(byClass.computeIfAbsent(p.nat, k -> new Tally()), p, leave, delayChunks);
            if (p.uploadClass != null) {
                tally(byUpload.computeIfAbsent(p.uploadClass, k -> new Tally()), p, leave, delayChunks);
            }
            if (p.node.alive() && p.tree.receiving()) {
                if (trueDepth[p.index] > 0) {
                    depth.add(trueDepth[p.index]);
                    staleBeliefs += trueDepth[p.index] == p.tree.depth() ? 0 : 1;
                } else {
                    notConnected++;
                }
            }
        }
        lastContinuity = all.continuity();
        // each chunk's lag from the source's cut to its playout at a listener, over all chunks
        // played, and the least it could be (the path's one-way delays), over listeners at the end
        Histogram lag = Histogram.sum(lags);
        Histogram keepTimeLag = s.stream().player().kind() == Scenario.PlayerKind.KEEP_TIME ? lag : Histogram.sum(keepTimeLags);
        long[] depths = depth.sortedValues();
        Map<String, Double> byType = new LinkedHashMap<>(); // the source's upload ratio split by message type
        peers.get(0).node.sentByType().forEach((type, bytes) -> byType.put(type, (double) bytes / streamBytes));
        SimNetwork.Traffic t = net.traffic();
        Map<String, Long> reasons = new java.util.TreeMap<>();
        for (Peer p : peers) {
            p.tree.stats().refusalReasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
        }
        samples.put("startupDelayMs", all.startup);
        samples.put("repairLatencyMs", all.repair);
        samples.put("depth", depth);
        return new Summary.Stream(lastContinuity, all.startup.percentile(50), all.startup.percentile(95),
                lag.percentile(50), lag.percentile(95), lag.percentile(99), latencyFloors(trueDepth).percentile(50),
                keepTimeLag.percentile(50), keepTimeLag.percentile(95),
                perHour(all.stalls, all.listenedMillis), Stats.share(all.stalledMillis, all.listenedMillis),
                perHour(all.keepTimeStalls, all.listenedMillis),
                all.repairs, all.repair.percentile(50), all.repair.percentile(95), all.skipped, all.duplicates,
                depths.length == 0 ? 0 : depths[depths.length - 1], depth.mean(),
                // at the end: attached peers whose parent chain does not reach the source yet (a repair
                // under way above them), and peers whose own idea of their depth is out of date
                notConnected, staleBeliefs,
                Stats.share(peers.get(0).node.bytesSent(), streamBytes), byType,
                Stats.share(t.controlBytes(), t.streamFrameBytes),
                all.startup.count(), s.stream().nat().any() ? byReachability(byClass) : null,
                s.stream().uploadClasses().isEmpty() ? null : byUploadClass(byUpload),
                total(st -> st.attachesSent), total(st -> st.refusalsReceived), reasons, total(st -> st.pullsServed),
                total(st -> st.pullsRefused), // too soon again, or an uplink that cannot spare it
                total(st -> st.chunksPulled), s.faults().massFailureAt() >= 0 ? massFailure() : null, limits());
    }

    private static double perHour(long count, long millis) {
        return millis == 0 ? 0 : count * 3_600_000.0 / millis;
    }

    /**
     * The listeners' figures by uplink class (in the scenario's order): the slots that upload
     * gives, the children they feed at the end, their depth, and the class's continuity; and the
     * slots offered per live listener, which must exceed 1 for everyone to be fed.
     */
    private Summary.UploadClasses byUploadClass(Map<Scenario.UploadClass, Tally> byUpload) {
        Map<String, Summary.UploadClassFigures> out = new LinkedHashMap<>();
        long slots = 0;
        long live = 0;
        for (Scenario.UploadClass c : s.stream().uploadClasses()) {
            Stats children = new Stats();
            Stats depth = new Stats();
            int slotsEach = slotsOf(c);
            for (Peer p : peers.subList(1, peers.size())) {
                if (p.uploadClass == c && p.node.alive()) {
                    children.add(p.tree.children().size());
                    if (p.tree.receiving()) {
                        depth.add(p.tree.depth());
                    }
                    slots += slotsEach;
                    live++;
                }
            }
            Tally t = byUpload.getOrDefault(c, new Tally());
            out.put(c.kbps() + " kbit/s (" + c.share() + ")", new Summary.UploadClassFigures(slotsEach, children.count(),
                    children.mean(), depth.mean(), t.startup.count(), t.continuity(), t.skipped));
        }
        return new Summary.UploadClasses(out, Stats.share(slots, live));
    }

    /** The listeners' figures by reachability class, and how often connection reversal was used. */
    private Summary.Reachability byReachability(Map<NatClass, Tally> byClass) {
        Map<String, Summary.ClassFigures> out = new LinkedHashMap<>();
        Map<NatClass, Stats> views = new java.util.EnumMap<>(NatClass.class);
        Map<NatClass, Stats> passives = new java.util.EnumMap<>(NatClass.class);
        for (Peer p : peers.subList(1, peers.size())) {
            if (p.node.alive()) {
                views.computeIfAbsent(p.nat, k -> new Stats()).add(p.channel.gossip().activeView().size());
                passives.computeIfAbsent(p.nat, k -> new Stats()).add(p.channel.gossip().passiveView().size());
            }
        }
        byClass.forEach((k, t) -> out.put(k.setting, new Summary.ClassFigures(
                views.containsKey(k) ? views.get(k).mean() : Double.NaN,
                passives.containsKey(k) ? passives.get(k).mean() : Double.NaN, t.startup.count(), t.continuity(),
                t.skipped, t.startup.percentile(50), t.repair.percentile(50))));
        return new Summary.Reachability(out, total(st -> st.reversalsAsked), total(st -> st.reversalsServed),
                total(st -> st.reversalsRefused), total(st -> st.punchesAsked), total(st -> st.punchesSucceeded),
                total(st -> st.punchesFailed));
    }

    /** A tree counter summed over every peer that ever joined. */
    private long total(java.util.function.ToLongFunction<io.arborcast.tree.TreeStats> counter) {
        long sum = 0;
        for (Peer p : peers) {
            sum += counter.applyAsLong(p.tree.stats());
        }
        return sum;
    }

    /** One flooder's loop: ATTACH from seq 0 and a PULL of everything, to random live members, at the attack's rate. */
    private void flood(SimNode f) {
        if (sim.now() >= endAt) {
            return;
        }
        Peer target = peers.get(attackRandom.nextInt(peers.size()));
        if (target.node.alive()) {
            f.send(target.node.localAddress(), new TreeMessage.Attach(key.channelId(), 0, 0));
            f.send(target.node.localAddress(), new TreeMessage.Pull(key.channelId(), 0, 1_000));
            floodAttaches++;
            floodPulls++;
        }
        sim.after(Math.max(1, Math.round(1000 / attack.rate())), () -> flood(f));
    }

    @Override
    public Summary.RelayAttack attackSummary() {
        if (attack.kind() == Scenario.AttackKind.NONE) {
            return null;
        }
        long forgedPlayed = 0;
        long honestForgedPlayed = 0;
        long hostile = 0;
        long badChunks = 0;
        long badParentsLeft = 0;
        for (Peer p : peers) {
            forgedPlayed += p.forgedPlayed;
            if (p.hostile) {
                hostile++;
            } else {
                honestForgedPlayed += p.forgedPlayed;
                badChunks += p.tree.stats().badChunks;
                badParentsLeft += p.tree.stats().faultyParents;
            }
        }
        Summary.AttachFlood flood = null;
        if (attack.kind() == Scenario.AttackKind.ATTACH_FLOOD) {
            long toFlooders = 0;
            for (SimNode f : flooders) {
                toFlooders += f.bytesAddressed();
            }
            flood = new Summary.AttachFlood(flooders.size(), floodAttaches, floodPulls, toFlooders);
        }
        return new Summary.RelayAttack(attack.kind().setting(), honestForgedPlayed, forgedPlayed - honestForgedPlayed,
                hostile, badChunks, badParentsLeft, flood, net.limitHits(io.arborcast.core.Limit.CHUNK_REPLAY),
                lastContinuity);
    }

    /**
     * How the survivors whose parent crashed in the mass failure were fed again: the time from
     * the failure to the first chunk from a new parent (survivors that left before it excluded;
     * for one that moved to a shallower parent before it noticed the loss, that parent's accept).
     */
    private Summary.MassFailure massFailure() {
        Stats refed = new Stats();
        int orphans = 0;
        int within10s = 0;
        for (Peer p : peers) {
            if (!p.orphanedByFailure || (!p.node.alive() && p.refedAt < 0)) {
                continue;
            }
            orphans++;
            if (p.refedAt >= 0) {
                long ms = p.refedAt - s.faults().massFailureAt();
                refed.add(ms);
                within10s += ms <= 10_000 ? 1 : 0;
            }
        }
        return new Summary.MassFailure(orphans, refed.count(), Stats.share(within10s, orphans),
                refed.percentile(50), refed.percentile(95), refed.percentile(100));
    }

    /**
     * The physical limits to hold the results against: the source can upload no less than one
     * copy per slot; a tree of fan-out 3 is ceil(log3 N) deep (the target allows 3 more); a
     * listener cannot start before a directory lookup and one attach round trip.
     */
    private Summary.Limits limits() {
        Stats rtt = new Stats();
        java.util.Random r = new java.util.Random(s.seed());
        for (int i = 0; i < 1_000 && peers.size() > 1; i++) {
            SimNode a = peers.get(r.nextInt(peers.size())).node;
            SimNode b = peers.get(r.nextInt(peers.size())).node;
            rtt.add(Math.round(2 * net.latency().baseMillis(a, b)));
        }
        return new Summary.Limits(s.stream().sourceSlots(), (int) Math.ceil(Math.log(s.nodes()) / Math.log(3)) + 3,
                s.stream().directoryLatencyMillis() + rtt.percentile(50));
    }
}
