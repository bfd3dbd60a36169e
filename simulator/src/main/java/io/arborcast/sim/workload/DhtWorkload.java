package io.arborcast.sim.workload;

import io.arborcast.sim.engine.Partitions;
import io.arborcast.sim.attack.InterceptingTransport;
import io.arborcast.sim.attack.SybilAnswers;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.report.Summary;
import io.arborcast.sim.scenario.Scenario;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.dht.DhtNode;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.LookupResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * The dht workload: the scenario's nodes join one after another through node 0, churn and
 * faults run as configured, then random FIND_NODE lookups from random live nodes are timed
 * and checked against a brute-force sort of the live node ids at the moment they finish:
 * {@code lookupSuccess} is the share that returned exactly the true k closest (the asker
 * excluded), {@code closestFoundStrict} the share whose first answer is the true closest.
 * Under churn some of those misses are no fault of the lookup: the true closest arrived while
 * it ran, or the closest that answered left before it ended. {@code closestFound} leaves both
 * out: the closest answer still live is the closest live node that was there at the start.
 */
final class DhtWorkload implements Workload {
    private final Scenario s;
    private final Simulation sim;
    private final SimNetwork net;
    private final DhtPopulation pop;
    /** Every node's id in numeric order, for the true closest nodes of a lookup. */
    private final XorIndex truth = new XorIndex();
    private final Random random;
    private final Stats hops = new Stats();
    private final Stats latency = new Stats();
    private final Stats joinMillis = new Stats();
    private int lookupsStarted;
    private final List<SimNode> inFlight = new ArrayList<>();
    private int lookupsDone;
    private int lookupsExact;
    private int closestFound;
    private int closestFoundStrict;
    /** When each node (by index) arrived, in virtual ms. */
    private long[] arrivedAt = new long[1024];
    private int joinFailures;
    private int arrivals;
    private int departures;
    private final long lookupsStart;
    private final Scenario.Attack attack;
    /** FIND_VALUE lookups of one channel (workload lookup = find-value, or the sybil attack). */
    private final ChannelFinds channel;
    /** Asks of the channel directory (workload lookup = directory). */
    private final DirectoryFinds directory;

    DhtWorkload(Scenario s, Simulation sim, SimNetwork net) {
        this.s = s;
        this.sim = sim;
        this.net = net;
        this.pop = new DhtPopulation(net, s.dht(), s.seed());
        this.random = new Random(s.seed() * 31 + 7);
        long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
        this.lookupsStart = joinsEnd + s.workload().settleMillis();
        this.attack = s.faults().attack();
        this.channel = s.workload().findValue() || attack.kind() == Scenario.AttackKind.SYBIL
                ? new ChannelFinds(attack.kind() == Scenario.AttackKind.SYBIL ? attack.nodes() : 0) : null;
        this.directory = s.workload().directory() ? new DirectoryFinds(s, sim, pop, random, this,
                new DirectoryFinds.Counters() {
                    @Override
                    public void started() {
                        lookupsStarted++;
                    }

                    @Override
                    public void done(long millis, boolean complete) {
                        lookupsDone++;
                        latency.add(millis);
                        lookupsExact += complete ? 1 : 0;
                    }
                }) : null;
    }

    @Override
    public void start() {
        DhtNode bootstrap = pop.add();
        pop.node(0).setUploadBytesPerSec(s.bootstrapUploadBytesPerSec());
        PeerAddress boot = PeerAddress.unknownId(pop.node(0).localAddress().host(), SimNetwork.PORT);
        for (int i = 1; i < s.nodes(); i++) {
            sim.at(i * s.workload().joinIntervalMillis(), () -> join(boot));
        }
        long joinsEnd = (s.nodes() - 1) * s.workload().joinIntervalMillis();
        if (s.churn().enabled()) {
            sim.at(joinsEnd, this::nextArrival);
        }
        Scenario.Faults f = s.faults();
        if (f.massFailureAt() >= 0) {
            sim.at(f.massFailureAt(), () -> massFailure(f.massFailureFraction()));
        }
        if (f.partitionAt() >= 0) {
            sim.at(f.partitionAt(), () -> partition(f.partitionFraction()));
            sim.at(f.partitionAt() + f.partitionMillis(), net::heal);
        }
        if (channel != null) {
            sim.at(joinsEnd + 1_000, channel::joinSybils);
            sim.at(joinsEnd + s.workload().settleMillis() / 2, channel::publish);
        }
        if (directory != null) {
            sim.at(joinsEnd + 1_000, directory::publish);
        }
        int lookups = s.workload().lookups();
        for (int q = 0; q < lookups; q++) {
            sim.at(lookupsStart + q * s.workload().lookupWindowMillis() / Math.max(1, lookups),
                    channel != null ? channel::find : directory != null ? directory::find : this::lookup);
        }
        bootstrap.routingTable(); // the bootstrap node needs no join
    }

    private void configure(SimNode node) {
        node.setUploadBytesPerSec(s.uploadBytesPerSec());
    }

    private void join(PeerAddress bootstrap) {
        DhtNode d = pop.add();
        SimNode node = pop.node(pop.size() - 1);
        configure(node);
        long start = sim.now();
        if (node.index() >= arrivedAt.length) {
            arrivedAt = Arrays.copyOf(arrivedAt, arrivedAt.length * 2);
        }
        arrivedAt[node.index()] = start;
        d.join(bootstrap, r -> {
            synchronized (this) { // (callbacks run inside partitions: see Partitions)
                if (r.ok()) {
                    joinMillis.add(sim.now() - start);
                } else {
                    joinFailures++;
                }
            }
        });
        if (s.churn().enabled()) {
            long session = s.churn().session().sampleMillis(random);
            sim.after(session, () -> depart(node));
        }
    }

    private void depart(SimNode node) {
        if (!node.alive()) {
            return;
        }
        departures++;
        if (random.nextDouble() < s.churn().leaveShare()) {
            pop.dht(node.index()).leave(); // says goodbye to its contacts first
            net.leave(node);
        } else {
            pop.dht(node.index()).stop();
            net.crash(node);
        }
    }

    private void nextArrival() {
        arrivals++;
        join(randomLiveBootstrap());
        sim.after(s.churn().nextArrivalGapMillis(random), this::nextArrival);
    }

    private PeerAddress randomLiveBootstrap() {
        SimNode b = pop.node(0);
        if (!b.alive()) {
            b = randomLive();
        }
        return PeerAddress.unknownId(b.localAddress().host(), SimNetwork.PORT);
    }

    private SimNode randomLive() {
        return Workload.randomLive(pop.nodes(), random);
    }

    private void massFailure(double fraction) {
        for (int i = 1; i < pop.size(); i++) {
            SimNode n = pop.node(i);
            if (n.alive() && random.nextDouble() < fraction) {
                departures++;
                pop.dht(i).stop();
                net.crash(n);
            }
        }
    }

    private void partition(double fraction) {
        int[] groups = new int[net.size()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = random.nextDouble() < fraction ? 1 : 0;
        }
        net.partition(groups);
    }

    private void lookup() {
        lookupsStarted++;
        SimNode asker = randomLive();
        NodeId target = NodeId.random(random);
        long start = sim.now();
        inFlight.add(asker);
        pop.dht(asker.index()).lookup(target, r -> {
            synchronized (this) {
                lookupDone(asker, target, start, r);
            }
        });
    }

    private void lookupDone(SimNode asker, NodeId target, long start, LookupResult r) {
        inFlight.remove(asker);
        lookupsDone++;
        hops.add(r.hops());
        latency.add(sim.now() - start);
        List<NodeId> got = new ArrayList<>(r.closest().size());
        r.closest().forEach(p -> got.add(p.id()));
        NodeId self = asker.localAddress().id();
        List<NodeId> truth = trueClosest(target, s.dht().k(), i -> !pop.node(i).localAddress().id().equals(self));
        if (got.equals(truth)) {
            lookupsExact++;
        }
        if (!got.isEmpty() && !truth.isEmpty() && got.get(0).equals(truth.get(0))) {
            closestFoundStrict++;
        }
        List<NodeId> there = trueClosest(target, 1, i -> (i >= arrivedAt.length || arrivedAt[i] <= start) && !pop.node(i).localAddress().id().equals(self));
        r.closest().stream().filter(this::alive).findFirst().ifPresent(first -> {
            if (!there.isEmpty() && first.id().equals(there.get(0))) {
                closestFound++;
            }
        });
    }

    private boolean alive(PeerAddress p) {
        SimNode n = net.resolve(p);
        return n != null && n.alive();
    }

    /** The k closest live node ids to target that {@code eligible} accepts (node indexes). */
    private List<NodeId> trueClosest(NodeId target, int k, IntPredicate eligible) {
        for (int i = truth.size(); i < pop.size(); i++) {
            truth.add(pop.node(i).localAddress().id(), i);
        }
        List<NodeId> out = new ArrayList<>(k);
        for (int i : truth.closest(target, k, i -> pop.node(i).alive() && eligible.test(i))) {
            out.add(pop.node(i).localAddress().id());
        }
        return out;
    }

    /**
     * True when every lookup finished, or a minute after the last one started: a lookup whose
     * asker departed (churn, failure) never finishes and counts as abandoned.
     */
    @Override
    public boolean done() {
        long lastStart = lookupsStart + s.workload().lookupWindowMillis();
        return sim.now() >= lookupsStart && lookupsStarted >= s.workload().lookups()
                && (lookupsDone >= lookupsStarted || sim.now() >= lastStart + 60_000);
    }

    /**
     * FIND_VALUEs of one channel: an honest node publishes the channel's record and 20 honest
     * nodes announce themselves as its providers; then the scenario's lookups are FIND_VALUEs of
     * the channel from random honest nodes, which succeed if they bring back the record and at
     * least one honest provider. Under the sybil attack, first {@code attack.nodes} nodes from
     * one /24 take ids closer to the channel's id than any honest node's, run the real DHT (so
     * they enter routing tables) but answer every FIND_NODE and FIND_VALUE with each other
     * only, never with the record or a provider.
     */
    private final class ChannelFinds {
        private final ChannelKey key = ChannelKey.fromSeed(s.seed() * 11 + 5);
        private final List<PeerAddress> addresses = new ArrayList<>();
        private final List<SimNode> nodes = new ArrayList<>();
        private int stored = -1;
        private int finds;
        private int recordFound;
        private int providerFound;
        private final Stats findMillis = new Stats();
        private final int sybils;

        ChannelFinds(int sybils) {
            this.sybils = sybils;
        }

        void joinSybils() {
            NodeId channel = key.channelId();
            Random r = new Random(s.seed() * 7 + 1);
            PeerAddress boot = PeerAddress.unknownId(pop.node(0).localAddress().host(), SimNetwork.PORT);
            for (int i = 0; i < sybils; i++) {
                byte[] near = new byte[NodeId.BYTES];
                for (int b = NodeId.BYTES - 8; b < NodeId.BYTES; b++) {
                    near[b] = (byte) r.nextInt(256); // within 2^64 of the channel: closer than any honest id
                }
                SimNode n = net.addNode(channel.xor(NodeId.fromBytes(near)), "172.16.0." + (i + 1));
                n.setUploadBytesPerSec(s.uploadBytesPerSec());
                DhtNode d = new DhtNode(s.dht(), n, new InterceptingTransport(n, new SybilAnswers(addresses)), net.sizer(n));
                n.setHandler(new MessageRouter().on(DhtMessage.class, d::onMessage));
                addresses.add(n.localAddress());
                nodes.add(n);
                sim.after(i * 50L, () -> d.join(boot, res -> { }));
            }
        }

        void publish() {
            DhtNode publisher = pop.dht(1);
            publisher.publish(ChannelRecords.create(key, "sybil target", "audio/mpeg", 128, sim.now(), 1),
                    out -> {
                        synchronized (DhtWorkload.this) {
                            stored = out.accepted();
                        }
                    });
            for (int i = 0; i < 20; i++) {
                SimNode p = randomLive();
                pop.dht(p.index()).announce(key.channelId(), new ProviderInfo(p.localAddress(), 1, 2), out -> { });
            }
        }

        void find() {
            lookupsStarted++;
            SimNode asker = randomLive();
            long start = sim.now();
            inFlight.add(asker);
            pop.dht(asker.index()).find(key.channelId(), res -> {
                synchronized (DhtWorkload.this) {
                    found(asker, start, res);
                }
            });
        }

        private void found(SimNode asker, long start, FindResult res) {
            inFlight.remove(asker);
            lookupsDone++;
            finds++;
            findMillis.add(sim.now() - start);
            hops.add(res.hops());
            latency.add(sim.now() - start);
            if (res.found()) {
                recordFound++;
                lookupsExact++;
            }
            if (res.providers().stream().anyMatch(p -> !p.address().host().startsWith("172.16."))) {
                providerFound++;
            }
        }

        Summary.Sybil summary() {
            return new Summary.Sybil(Scenario.AttackKind.SYBIL.setting(), nodes.size(),
                    trueClosestWithSybils().stream().filter(addresses::contains).count(), stored, finds,
                    Stats.share(recordFound, finds), Stats.share(providerFound, finds), findMillis.percentile(50),
                    s.dht().lookupMaxPerSubnet());
        }

        /** The k closest to the channel among honest nodes and sybils together. */
        private List<PeerAddress> trueClosestWithSybils() {
            List<PeerAddress> all = new ArrayList<>(addresses);
            for (NodeId id : trueClosest(key.channelId(), s.dht().k(), i -> true)) {
                all.add(pop.node(indexOf(id)).localAddress());
            }
            all.sort((a, b) -> key.channelId().compareDistance(a.id(), b.id()));
            return all.subList(0, Math.min(s.dht().k(), all.size()));
        }

        private int indexOf(NodeId id) {
            for (int i = 0; i < pop.size(); i++) {
                if (pop.node(i).localAddress().id().equals(id)) {
                    return i;
                }
            }
            throw new IllegalStateException("no node " + id);
        }
    }

    @Override
    public Summary.Sybil attackSummary() {
        return attack.kind() == Scenario.AttackKind.SYBIL ? channel.summary() : null;
    }

    int lookupsDone() {
        return lookupsDone;
    }

    double lookupSuccess() {
        return Stats.share(lookupsExact, lookupsDone);
    }

    @Override
    public long expectedEndMillis() {
        return lookupsStart + s.workload().lookupWindowMillis() + 5_000;
    }

    @Override
    public List<String> columns() {
        return List.of("lookupsDone", "lookupSuccess");
    }

    @Override
    public double[] sample() {
        return new double[] {lookupsDone, lookupSuccess()};
    }

    /** The dht section of summary.json, plus the samples for plots. */
    @Override
    public Summary.Dht summary(Map<String, Stats> samples) {
        boolean findNode = channel == null && directory == null;
        boolean departing = s.churn().enabled() || s.faults().massFailureAt() >= 0;
        long tableSum = 0;
        int live = 0;
        for (int i = 0; i < pop.size(); i++) {
            if (pop.node(i).alive()) {
                tableSum += pop.dht(i).routingTable().size();
                live++;
            }
        }
        samples.put("hops", hops);
        samples.put("lookupLatencyMs", latency);
        return new Summary.Dht(lookupsDone,
                channel != null ? "find-value" : directory != null ? "directory" : null,
                channel == null ? null : Stats.share(channel.recordFound, channel.finds),
                channel == null ? null : Stats.share(channel.providerFound, channel.finds),
                directory == null ? null : directory.summary(),
                lookupsStarted - lookupsDone, inFlight.stream().filter(SimNode::alive).count(), lookupSuccess(),
                findNode ? Stats.share(closestFound, lookupsDone) : null, findNode ? Stats.share(closestFoundStrict, lookupsDone) : null,
                hops.percentile(50), hops.percentile(99), latency.percentile(50), latency.percentile(99),
                joinMillis.count(), joinFailures, joinMillis.percentile(50),
                Stats.share(tableSum, live),
                departing ? arrivals : null, departing ? departures : null);
    }
}
