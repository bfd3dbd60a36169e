package io.arborcast.sim.net;

import io.arborcast.sim.engine.Partitions;
import io.arborcast.sim.engine.Simulation;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.Message;
import io.arborcast.core.MessageSizer;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.Transport;
import io.arborcast.core.StreamMessage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The simulated network: per-pair latency, per-node upload capacity with queueing, optional
 * datagram loss, partitions, and ordered reliable links whose closing the far end hears of
 * (after one-way latency on a clean close, after a timeout on a crash). Messages travel as
 * objects; the codec is asked only for their size, to charge bandwidth.
 */
public final class SimNetwork {
    /** The port every virtual node uses. */
    public static final int PORT = 7144;
    /** Bytes of UDP/IP header plus our 20-byte sender id charged per datagram. */
    public static final int DATAGRAM_OVERHEAD = 28 + NodeId.BYTES;
    /** Bytes of TCP/IP header plus the 4-byte length prefix charged per link frame. */
    public static final int FRAME_OVERHEAD = 40 + 4;
    /** The link of a datagram's delivery: none. */
    private static final long NO_LINK = -1;

    /** Settings of the network model. */
    public record Config(LatencyModel latency, double datagramLoss, long connectTimeoutMillis,
                         long crashDetectMillis) {
        public static Config defaults() {
            return new Config(LatencyModel.internet(), 0.0, 3_000, 30_000);
        }
    }

    final Simulation sim;
    private final Config config;
    private final long seed;
    /** Null on a run of one queue; else the partitions the nodes are spread over. */
    private final Partitions parts;
    /** Per partition (one entry without partitions): what a partition's events use, never another's. */
    private final MessageSizer[] sizers;
    private final Random[] netRandoms;
    private final Traffic[] traffics;
    private final LimitCounters[] limitsOf;
    private final List<SimNode> nodes = new ArrayList<>();
    /** Nodes added at a chosen host rather than by the address plan. */
    private final Map<String, SimNode> chosenHosts = new HashMap<>();
    private Set<Long> blockedPairs = Set.of();

    /** Bytes and messages carried, split into control and stream data. */
    public static final class Traffic {
        public long datagrams;
        public long datagramBytes;
        public long datagramsLost;
        public long frames;
        public long controlFrameBytes;
        public long streamFrameBytes;
        public long dropped;
        /** By message class: {messages sent, their bytes with framing}. */
        private final Map<Class<?>, long[]> counts = new HashMap<>();

        void count(Message m, int bytes) {
            long[] n = counts.computeIfAbsent(m.getClass(), c -> new long[2]);
            n[0]++;
            n[1] += bytes;
        }

        /** Messages sent by type (simple class name), in name order. */
        public Map<String, Long> messagesByType() {
            return byType(0);
        }

        /** The bytes of {@link #messagesByType}'s messages, framing and headers included. */
        public Map<String, Long> bytesByType() {
            return byType(1);
        }

        private Map<String, Long> byType(int column) {
            Map<String, Long> byType = new TreeMap<>();
            counts.forEach((c, n) -> byType.put(c.getSimpleName(), n[column]));
            return byType;
        }

        public long controlBytes() {
            return datagramBytes + controlFrameBytes;
        }

        /** The sum of {@code parts}. */
        static Traffic sum(Traffic[] parts) {
            Traffic t = new Traffic();
            for (Traffic p : parts) {
                t.datagrams += p.datagrams;
                t.datagramBytes += p.datagramBytes;
                t.datagramsLost += p.datagramsLost;
                t.frames += p.frames;
                t.controlFrameBytes += p.controlFrameBytes;
                t.streamFrameBytes += p.streamFrameBytes;
                t.dropped += p.dropped;
                p.counts.forEach((c, n) -> {
                    long[] sum = t.counts.computeIfAbsent(c, x -> new long[2]);
                    sum[0] += n[0];
                    sum[1] += n[1];
                });
            }
            return t;
        }
    }

    public SimNetwork(Simulation sim, Config config, MessageSizer sizer, long seed) {
        this(sim, config, () -> sizer, seed, 1, 1);
    }

    /**
     * A network whose nodes are spread over {@code partitions} event queues run on up to
     * {@code threads} threads ({@link Partitions}); {@code newSizer} makes one sizer per partition.
     * With one partition, {@code sim} is the only queue.
     */
    public SimNetwork(Simulation sim, Config config, java.util.function.Supplier<MessageSizer> newSizer, long seed,
                      int partitions, int threads) {
        this.sim = sim;
        this.config = config;
        this.seed = seed;
        this.parts = partitions > 1 ? new Partitions(sim, partitions, threads) : null;
        if (parts != null) {
            sim.drive(parts);
        }
        this.sizers = new MessageSizer[partitions];
        this.netRandoms = new Random[partitions];
        this.traffics = new Traffic[partitions];
        this.limitsOf = new LimitCounters[partitions];
        for (int p = 0; p < partitions; p++) {
            sizers[p] = newSizer.get();
            netRandoms[p] = new Random(seed ^ 0x5DEECE66DL ^ (0x9E3779B97F4A7C15L * p));
            traffics[p] = new Traffic();
            limitsOf[p] = new LimitCounters();
        }
    }

    /**
     * Runs {@code task}, which touches what all nodes share (a workload's directory or tallies),
     * for {@code node}'s event: at once without partitions, else at the start of the next
     * millisecond in a fixed order ({@link Partitions#serially}).
     */
    public void serially(SimNode node, Runnable task) {
        if (parts == null) {
            task.run();
        } else {
            parts.serially(node.partition, task);
        }
    }

    /** Stops the partition threads, if any. */
    public void close() {
        if (parts != null) {
            parts.close();
        }
    }

    public Simulation simulation() {
        return sim;
    }

    /** The latency model nodes are placed in. */
    public LatencyModel latency() {
        return config.latency();
    }

    /** The codec that sizes the messages of {@code node} (one per partition: a codec is not thread-safe). */
    public MessageSizer sizer(SimNode node) {
        return sizers[node.partition];
    }

    /** What the network carried so far (on a partitioned run, a sum made now). */
    public Traffic traffic() {
        return parts == null ? traffics[0] : Traffic.sum(traffics);
    }

    /** Adds a live node with the given id; its seeded random derives from the network seed and its index. */
    public SimNode addNode(NodeId id) {
        return addNode(id, hostOf(nodes.size()));
    }

    /**
     * A node at a chosen host (an attacker's few addresses, say): any IP literal outside
     * 10.0.0.0/8, which the address plan of {@link #hostOf} uses.
     */
    public SimNode addNode(NodeId id, String host) {
        if (parts != null && parts.windowOpen()) {
            throw new IllegalStateException("nodes are added by global events, not inside a partition");
        }
        int index = nodes.size();
        if (!host.equals(hostOf(index))) {
            if (host.startsWith("10.") || chosenHosts.containsKey(host)) {
                throw new IllegalArgumentException("host taken or in 10/8: " + host);
            }
        }
        PeerAddress address = new PeerAddress(id, host, PORT);
        int partition = index % sizers.length;
        SimNode n = new SimNode(this, index, partition, parts == null ? sim : parts.part(partition), limitsOf[partition],
                address, new Random(mix(seed, index)));
        config.latency().place(n, n.random);
        nodes.add(n);
        if (!host.startsWith("10.")) {
            chosenHosts.put(host, n);
        }
        return n;
    }

    public SimNode node(int index) {
        return nodes.get(index);
    }

    public int size() {
        return nodes.size();
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    /**
     * The host text of node {@code index}: 10.x.y.z, an address no real peer will collide with.
     * The low byte of the index comes first, so consecutive nodes sit in different /24s (as
     * random peers on the internet do) and subnet limits see one or two nodes per /24 up to
     * a million nodes, not 256.
     */
    static String hostOf(int index) {
        return "10." + (index & 255) + "." + ((index >>> 8) & 255) + "." + ((index >>> 16) & 255);
    }

    /** The node an address names, or null if none. */
    public SimNode resolve(PeerAddress to) {
        if (to.port() != PORT) {
            return null;
        }
        String h = to.host();
        if (!h.startsWith("10.")) {
            return chosenHosts.get(h);
        }
        int index = 0;
        int part = 0;
        int dots = 0;
        for (int i = 3; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c == '.') {
                index = (index << 8) | part;
                part = 0;
                dots++;
            } else if (c >= '0' && c <= '9') {
                part = part * 10 + (c - '0');
                if (part > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (dots != 2) {
            return null;
        }
        index = (index << 8) | part; // 10.a.b.c read as a<<16 | b<<8 | c; the node index is c<<16 | b<<8 | a
        index = ((index >>> 16) & 255) | (index & 0xFF00) | ((index & 255) << 16);
        return index < nodes.size() ? nodes.get(index) : null;
    }

    void send(SimNode from, PeerAddress to, Message m) {
        boolean datagram = m.isDatagram();
        Traffic traffic = traffics[from.partition];
        int bytes = sizers[from.partition].sizeOf(m) + (datagram ? DATAGRAM_OVERHEAD : FRAME_OVERHEAD);
        traffic.count(m, bytes);
        from.bytesSent += bytes;
        if (from.sentByType != null) {
            from.sentByType.merge(m.getClass().getSimpleName(), (long) bytes, Long::sum);
        }
        long departMillis = departure(from, bytes);
        SimNode target = resolve(to);
        if (target != null && !blockedPairs.isEmpty() && blockedPairs.contains(pair(from.index, target.index))) {
            traffic.dropped++; // a one-pair fault: nothing gets through, links stay up and silent
            deliver(from, target, new Counted(target, bytes));
            return;
        }
        if (datagram) {
            traffic.datagrams++;
            traffic.datagramBytes += bytes;
            Random netRandom = netRandoms[from.partition];
            if (target == null || !target.alive || target.partitionGroup != from.partitionGroup) {
                traffic.dropped++;
                if (target != null) {
                    deliver(from, target, new Counted(target, bytes));
                }
            } else if (config.datagramLoss() > 0 && netRandom.nextDouble() < config.datagramLoss()) {
                traffic.datagramsLost++;
                deliver(from, target, new Counted(target, bytes));
            } else {
                long arrive = departMillis + config.latency().sampleMillis(from, target, netRandom);
                deliver(from, target, new Delivery(target, target.incarnation, from.address, m, NO_LINK, arrive, bytes));
            }
            return;
        }
        traffic.frames++;
        if (m instanceof StreamMessage) {
            traffic.streamFrameBytes += bytes;
        } else {
            traffic.controlFrameBytes += bytes;
        }
        if (!sendOnLink(from, to, target, m, departMillis, traffic, bytes) && target != null) {
            deliver(from, target, new Counted(target, bytes)); // sent to it all the same
        }
    }

    /**
     * A reachability dial-back from {@code from} to {@code to}: both probes (UDP and TCP) arrive
     * after one-way latency if the target is alive and reachable ({@link SimNode#setReachable});
     * behind a NAT nothing does, as a real NAT drops what answers no path its host opened (and
     * no link to it can be opened: only the links it opens itself carry its traffic).
     */
    void dialBack(SimNode from, PeerAddress to, long nonce) {
        SimNode target = resolve(to);
        if (target == null || !target.alive || !target.reachable()) {
            return;
        }
        int incarnation = target.incarnation;
        long arrive = sim.now() + config.latency().sampleMillis(from, target, netRandoms[from.partition]);
        deliver(from, target, new Counted(target, 2 * Transport.PROBE_BYTES, arrive, () -> {
            if (target.alive && target.incarnation == incarnation) {
                target.handler.onDialedBack(nonce, false);
                target.handler.onDialedBack(nonce, true);
            }
        }));
    }

    /** Hands {@code mail} to {@code target}'s queue: on a partitioned run, on the target's side. */
    private void deliver(SimNode from, SimNode target, Partitions.Mail mail) {
        if (parts != null) {
            parts.post(from.partition, target.partition, mail);
        } else {
            mail.deliver(sim);
        }
    }

    /**
     * A frame of {@code bytes} on our link to {@code target}, dialled first if there is none;
     * false if it is not carried (now).
     */
    private boolean sendOnLink(SimNode from, PeerAddress to, SimNode target, Message m, long departMillis,
                            Traffic traffic, int bytes) {
        if (target == null || to.id() == null || !to.id().equals(target.address.id())) {
            traffic.dropped++;
            notifyClosed(from, to, "connect failed: no such peer", config.connectTimeoutMillis());
            return false;
        }
        SimLink link = from.linkTo(target);
        if (link == null) {
            if (!target.alive || target.partitionGroup != from.partitionGroup) {
                traffic.dropped++;
                notifyClosed(from, to, "connect failed: timeout", config.connectTimeoutMillis());
                return false;
            }
            SimNode.Punch punching = from.punchTo(target);
            if (punching != null) { // waits for the link our hole punch opens, if it does
                punching.waiting.add(m);
                return false;
            }
            if (!target.reachable()) { // behind a NAT: its router answers the SYN with a reset
                traffic.dropped++;
                notifyClosed(from, to, "connect failed: Connection refused",
                        2 * Math.round(config.latency().baseMillis(from, target)));
                return false;
            }
            link = openLink(from, target);
            // the handshake costs one round trip before the first frame
            departMillis += 2 * Math.round(config.latency().baseMillis(from, target));
        }
        carry(from, target, link, m, departMillis, bytes);
        return true;
    }

    /**
     * Dials a link from {@code from} to {@code target}: our end now, the far end when the
     * news reaches its partition (at once in the same one), before any frame on it can arrive.
     */
    private SimLink openLink(SimNode from, SimNode target) {
        SimLink link = new SimLink(target, from.nextLinkId(), true);
        from.addLink(link);
        deliver(from, target, new Opened(this, from, from.incarnation, target, link.id));
        return link;
    }

    private void carry(SimNode from, SimNode target, SimLink link, Message m, long departMillis, int bytes) {
        long arrive = departMillis + config.latency().sampleMillis(from, target, netRandoms[from.partition]);
        arrive = link.orderedArrival(arrive);
        deliver(from, target, new Delivery(target, target.incarnation, from.address, m, link.id, arrive, bytes));
    }

    /**
     * A hole punch from {@code from} to {@code to}, a node nobody can dial (to a dialable one, a
     * plain connect does): our SYN reaches the other end after the one-way delay, and the link
     * opens if that end is punching towards us then and neither NAT maps each destination to a
     * port of its own ({@link SimNode#setPunchable}): the SYNs crossed. What {@code from} sends
     * meanwhile waits for the link. Else, after the connect timeout, the puncher hears the link
     * closed. Each end keeps its own punches (partitioned runs: only SYNs cross partitions).
     */
    void punch(SimNode from, PeerAddress to) {
        SimNode target = resolve(to);
        if (target == null || !target.alive || target.reachable() || to.id() == null
                || !to.id().equals(target.address.id()) || from.linkTo(target) != null || from.punchTo(target) != null) {
            return;
        }
        long now = from.sim.now();
        SimNode.Punch mine = from.startPunch(target, now);
        deliver(from, target, new Syn(this, from, from.incarnation, target, target.incarnation, now,
                now + synMillis(from, target)));
        from.sim.after(config.connectTimeoutMillis(), () -> {
            if (from.punchTo(target) == mine) {
                from.endPunch(target);
                traffics[from.partition].dropped += mine.waiting.size();
                notifyClosed(from, to, "hole punch failed: connect timed out", 0);
            }
        });
    }

    /** How long a SYN takes between the two: the one-way base delay (the same both ways), 1 ms at least. */
    private long synMillis(SimNode a, SimNode b) {
        return Math.max(1, Math.round(config.latency().baseMillis(a, b)));
    }

    /**
     * The SYN of {@code from}'s punch, sent {@code sentAt}, reaches {@code to}: if {@code to} is
     * punching back, the link opens, dialled by {@code to}, which sends what waited. When each
     * SYN finds the other end punching (the punches began within a one-way delay of each
     * other), only the end with the lower index opens it, when the other's SYN reaches it. A
     * SYN from a node that stopped since opens nothing (its handshake would get no answer).
     */
    private record Syn(SimNetwork net, SimNode from, int fromIncarnation, SimNode to, int incarnation, long sentAt,
                       long at)
            implements Runnable, Partitions.Mail {
        @Override
        public void deliver(Simulation receiver) {
            receiver.at(at, this);
        }

        @Override
        public void run() {
            SimNode.Punch theirs = to.punchTo(from);
            if (!to.alive || to.incarnation != incarnation || !from.alive || from.incarnation != fromIncarnation
                    || theirs == null || !from.punchable() || !to.punchable() || from.partitionGroup != to.partitionGroup) {
                return;
            }
            boolean bothCrossed = sentAt <= theirs.since + net.synMillis(from, to);
            if (bothCrossed && from.index < to.index) {
                return; // ours reaches it while it still punches: it opens the link
            }
            net.sendWaiting(to, from, net.openLink(to, from), to.sim.now());
        }
    }

    /**
     * The link {@code link} from {@code node} to {@code other} is open: {@code node}'s punch
     * towards it, if one is under way, ends, and what waited for it leaves now (counted when sent).
     */
    private void sendWaiting(SimNode node, SimNode other, SimLink link, long now) {
        SimNode.Punch p = node.punchTo(other);
        if (p != null) {
            node.endPunch(other);
            p.waiting.forEach(m -> carry(node, other, link, m, now, 0));
        }
    }

    /** When a message of {@code bytes} leaves {@code from}'s uplink, in ms, after what is queued before it. */
    private long departure(SimNode from, int bytes) {
        long now = from.sim.now();
        long nowMicros = now * 1000;
        if (from.uploadBytesPerSec <= 0) {
            return now;
        }
        long start = Math.max(nowMicros, from.uplinkFreeAtMicros);
        from.uplinkFreeAtMicros = start + bytes * 1_000_000L / from.uploadBytesPerSec;
        return (from.uplinkFreeAtMicros + 999) / 1000;
    }

    /** How long the uplink of {@code node} is busy with what it already queued, in ms. */
    public long uplinkBacklogMillis(SimNode node) {
        return Math.max(0, (node.uplinkFreeAtMicros - node.sim.now() * 1000) / 1000);
    }

    void closeLink(SimNode from, PeerAddress peer) {
        SimNode other = resolve(peer);
        SimLink link = other == null ? null : from.linkTo(other);
        if (link == null) {
            return;
        }
        from.removeLink(link);
        notifyClosed(from, other.address, "closed locally", 0);
        long at = from.sim.now() + Math.round(config.latency().baseMillis(from, other));
        if (parts != null && from.partition != other.partition) {
            at = Math.max(at, from.sim.now() + 1); // news between partitions takes a millisecond
        }
        deliver(from, other, new Closed(other, link.id, from.address, at));
    }

    private void notifyClosed(SimNode node, PeerAddress peer, String reason, long delay) {
        notifyClosedAt(node, peer, reason, node.sim.now() + Math.max(0, delay));
    }

    /** Tells {@code node}'s handler at {@code at} that its link to {@code peer} closed (if it lives on). */
    private static void notifyClosedAt(SimNode node, PeerAddress peer, String reason, long at) {
        int inc = node.incarnation;
        node.sim.at(at, () -> {
            if (node.alive && node.incarnation == inc && node.handler != null) {
                node.handler.onLinkClosed(peer, reason);
            }
        });
    }

    /** The node stops at once; peers on its links notice after the crash-detection timeout. */
    public void crash(SimNode node) {
        stop(node, config.crashDetectMillis(), "crashed (timeout)");
    }

    /** The node leaves cleanly; peers on its links notice after one-way latency. */
    public void leave(SimNode node) {
        stop(node, -1, "closed by peer");
    }

    private void stop(SimNode node, long delay, String reason) {
        if (!node.alive) {
            return;
        }
        node.alive = false;
        node.incarnation++;
        node.endPunches();
        for (SimLink link : node.linksSnapshot()) {
            SimNode other = link.peer;
            dropBothEnds(node, link);
            long d = delay >= 0 ? delay : Math.round(config.latency().baseMillis(node, other));
            notifyClosed(other, node.address, reason, d);
        }
    }

    /**
     * Splits the network: node i goes to group {@code groupOf[i]}. Datagrams between groups are
     * lost and links across groups break (noticed after the crash timeout) until {@link #heal()}.
     */
    public void partition(int[] groupOf) {
        for (SimNode n : nodes) {
            n.partitionGroup = n.index < groupOf.length ? groupOf[n.index] : 0;
        }
        for (SimNode n : nodes) {
            for (SimLink link : n.linksSnapshot()) {
                if (!link.dialled || n.partitionGroup == link.peer.partitionGroup) {
                    continue; // each link once, at its dialling end
                }
                dropBothEnds(n, link);
                notifyClosed(n, link.peer.address, "connection timed out", config.crashDetectMillis());
                notifyClosed(link.peer, n.address, "connection timed out", config.crashDetectMillis());
            }
        }
    }

    /**
     * Silently drops everything between two nodes (both ways) until {@link #unblock}: the fault of
     * a single broken path, while both stay reachable from everyone else.
     */
    public void block(SimNode a, SimNode b) {
        Set<Long> s = new HashSet<>(blockedPairs);
        s.add(pair(a.index, b.index));
        blockedPairs = s;
    }

    public void unblock(SimNode a, SimNode b) {
        Set<Long> s = new HashSet<>(blockedPairs);
        s.remove(pair(a.index, b.index));
        blockedPairs = s;
    }

    /** Ends a partition. */
    public void heal() {
        for (SimNode n : nodes) {
            n.partitionGroup = 0;
        }
    }

    /** Nodes alive now. */
    public int liveNodes() {
        int live = 0;
        for (SimNode n : nodes) {
            if (n.alive) {
                live++;
            }
        }
        return live;
    }

    /** How often the nodes hit {@code limit}, in every partition. */
    public long limitHits(io.arborcast.core.Limit limit) {
        long sum = 0;
        for (LimitCounters l : limitsOf) {
            sum += l.count(limit);
        }
        return sum;
    }

    /** Open links (counted by their ends, of which a link has two once both know of it), for tests. */
    public int linkCount() {
        int ends = 0;
        for (SimNode n : nodes) {
            ends += n.linkEnds();
        }
        return ends / 2;
    }

    /** Takes away {@code node}'s end {@code link} and the peer's: only a global event may (no partition runs). */
    private static void dropBothEnds(SimNode node, SimLink link) {
        node.removeLink(link);
        link.peer.removeLink(link.id);
    }

    /** A pair of nodes, in either order. */
    private static long pair(int i, int j) {
        return i < j ? ((long) i << 32) | j : ((long) j << 32) | i;
    }

    private static long mix(long seed, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A message in flight to one life of a node, arriving {@code at}; as mail, it counts its
     * {@code bytes} at the target (who was sent them, whether or not they arrive) and queues itself.
     */
    private record Delivery(SimNode to, int incarnation, PeerAddress from, Message m, long link, long at, int bytes)
            implements Runnable, Partitions.Mail {
        @Override
        public void deliver(Simulation receiver) {
            to.bytesAddressed += bytes;
            receiver.at(at, this);
        }

        @Override
        public void run() {
            if (to.alive && to.incarnation == incarnation && (link == NO_LINK || to.link(link) != null)
                    && to.handler != null) {
                to.receive(from, m);
            }
        }
    }

    /**
     * News of a link {@code dialler} opened, for the far end: it holds its end from then on,
     * unless the dialler stopped (or the network split them) before the news came.
     */
    private record Opened(SimNetwork net, SimNode dialler, int incarnation, SimNode target, long link)
            implements Partitions.Mail {
        @Override
        public long at() {
            return -1;
        }

        @Override
        public void deliver(Simulation receiver) {
            if (dialler.alive && dialler.incarnation == incarnation && target.alive
                    && dialler.partitionGroup == target.partitionGroup) {
                SimLink end = new SimLink(dialler, link, false);
                target.addLink(end);
                net.sendWaiting(target, dialler, end, receiver.now()); // our punch towards it crossed theirs
            }
        }
    }

    /** News that the far end closed link {@code link}: {@code node} lets go of its end, and hears of it {@code at}. */
    private record Closed(SimNode node, long link, PeerAddress peer, long at) implements Partitions.Mail {
        @Override
        public void deliver(Simulation receiver) {
            if (node.removeLink(link) != null) {
                notifyClosedAt(node, peer, "closed by peer", at);
            }
        }
    }

    /** Bytes sent to {@code target} that do not arrive (lost, dropped), or that run {@code task} {@code at} a time. */
    private record Counted(SimNode target, int bytes, long at, Runnable task) implements Partitions.Mail {
        Counted(SimNode target, int bytes) {
            this(target, bytes, -1, null);
        }

        @Override
        public void deliver(Simulation receiver) {
            target.bytesAddressed += bytes;
            if (task != null) {
                receiver.at(at, task);
            }
        }
    }
}
