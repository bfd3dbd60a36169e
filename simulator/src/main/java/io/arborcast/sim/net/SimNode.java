package io.arborcast.sim.net;

import io.arborcast.sim.engine.Simulation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.arborcast.core.AddressFilter;
import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.SelfAddress;
import io.arborcast.core.Transport;

import java.util.Random;

/**
 * One virtual node: its address, its place in the latency space, its uplink, and the
 * {@link Environment} and {@link Transport} its protocol code runs on. Timers and messages
 * addressed to a node that crashed (or to an earlier life of it) are silently dropped.
 */
public final class SimNode implements Environment, Transport {
    final SimNetwork net;
    final int index;
    /** The partition whose queue runs this node's events, and that queue. */
    final int partition;
    final Simulation sim;
    private final LimitCounters limits;
    final PeerAddress address;
    final Random random;
    float x;
    float y;
    float accessMillis;
    /** Upload capacity in bytes per second; 0 = unlimited. */
    long uploadBytesPerSec;
    /** When the uplink finishes sending what is queued, in virtual microseconds. */
    long uplinkFreeAtMicros;
    boolean alive = true;
    int incarnation;
    int partitionGroup;
    MessageHandler handler;
    private boolean reachable = true;
    private boolean punchable = true;
    long bytesSent;
    /** Bytes other nodes sent to this one (whether or not they arrived). */
    long bytesAddressed;
    /** Bytes sent by message type, for the few nodes a workload watches ({@link #watchUpload}); else null. */
    Map<String, Long> sentByType;
    /**
     * Our ends of the links open here (parent, children, gossip neighbours: a few), in the order
     * opened, with their ids and peers beside them: a frame's arrival looks its link up by id in
     * one small array instead of visiting each end.
     */
    private SimLink[] links;
    private long[] linkIds;
    /** Our hole punches under way, by the node punched (null while none): this node's own, so partitions share none. */
    private Map<SimNode, Punch> punches;
    private SimNode[] linkPeers;
    private int linkCount;
    private int dials;
    /** The same address logic a real node runs, made on first use (most of a 100k-node DHT run never needs it). */
    private SelfAddress self;
    private AddressFilter filter;

    SimNode(SimNetwork net, int index, int partition, Simulation sim, LimitCounters limits, PeerAddress address,
            Random random) {
        this.net = net;
        this.index = index;
        this.partition = partition;
        this.sim = sim;
        this.limits = limits;
        this.address = address;
        this.random = random;
    }

    public int index() {
        return index;
    }

    /** The partition whose queue runs this node's events (0 on a run of one queue). */
    public int partition() {
        return partition;
    }

    public boolean alive() {
        return alive;
    }

    /** Bytes other nodes sent to this one (whether or not they arrived). */
    public long bytesAddressed() {
        return bytesAddressed;
    }

    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public long bytesOut() {
        return bytesSent;
    }

    /** What the uplink has still to send: its backlog at its rate. */
    @Override
    public long bytesWaiting() {
        long micros = uplinkFreeAtMicros - sim.now() * 1000;
        return micros <= 0 || uploadBytesPerSec <= 0 ? 0 : micros * uploadBytesPerSec / 1_000_000;
    }

    /** From now on, counts this node's upload by message type ({@link #sentByType()}). */
    public void watchUpload() {
        sentByType = new TreeMap<>();
    }

    /** Bytes sent by message type since {@link #watchUpload}, framing included (empty if not watched). */
    public Map<String, Long> sentByType() {
        return sentByType == null ? Map.of() : sentByType;
    }

    public void setHandler(MessageHandler handler) {
        this.handler = handler;
    }

    public void setUploadBytesPerSec(long bytesPerSec) {
        this.uploadBytesPerSec = bytesPerSec;
    }

    @Override
    public long now() {
        return sim.now();
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        NodeTimer t = new NodeTimer(this, incarnation, task);
        sim.after(delayMillis, t);
        return t;
    }

    @Override
    public Random random() {
        return random;
    }

    /** One set of counters for the whole simulated network (per partition on a partitioned run). */
    @Override
    public LimitCounters limits() {
        return limits;
    }

    @Override
    public PeerAddress localAddress() {
        return address;
    }

    @Override
    public void send(PeerAddress to, Message m) {
        if (alive) {
            Message out = filter().outbound(to, m);
            if (out != null) {
                net.send(this, to, out);
            }
        }
    }

    /** A message from {@code from} arrived: through the address filter to the handler. */
    void receive(PeerAddress from, Message m) {
        Message in = filter().inbound(from, m);
        if (in != null) {
            handler.onMessage(from, in);
        }
    }

    /** Whether peers' dial-backs and connects reach this node (false: as if behind a NAT); true unless set. */
    public void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    public boolean reachable() {
        return reachable;
    }

    /**
     * Whether a hole can be punched through this node's NAT (endpoint-independent mapping, as a
     * cone NAT or Linux MASQUERADE; false: a symmetric NAT); true unless set. Matters only while
     * it is not {@link #reachable}.
     */
    public void setPunchable(boolean punchable) {
        this.punchable = punchable;
    }

    public boolean punchable() {
        return punchable;
    }

    @Override
    public void punch(PeerAddress to) {
        if (alive) {
            net.punch(this, to);
        }
    }

    @Override
    public void dialBack(PeerAddress to, long nonce) {
        if (alive) {
            net.dialBack(this, to, nonce);
        }
    }

    @Override
    public void observed(PeerAddress reporter, String host) {
        selfAddress().report(reporter, host);
    }

    /** What this node believes its address is: its one host in the address plan, once peers confirm it. */
    private SelfAddress selfAddress() {
        if (self == null) {
            self = new SelfAddress(null, List.of(address.host()), address.host());
        }
        return self;
    }

    private AddressFilter filter() {
        if (filter == null) {
            filter = new AddressFilter(address.id(), selfAddress(), address.port(), this::linkedAddress);
        }
        return filter;
    }

    /** The address of the node at the other end of our open link to {@code id}, or null. */
    private PeerAddress linkedAddress(NodeId id) {
        for (int i = 0; i < linkCount; i++) {
            if (id.equals(linkPeers[i].address.id())) {
                return linkPeers[i].address;
            }
        }
        return null;
    }

    @Override
    public void closeLink(PeerAddress peer) {
        if (alive) {
            net.closeLink(this, peer);
        }
    }

    /** A hole punch of ours under way: since when, and what we sent meanwhile, waiting for the link. */
    static final class Punch {
        final long since;
        final List<Message> waiting = new java.util.ArrayList<>();

        Punch(long since) {
            this.since = since;
        }
    }

    Punch punchTo(SimNode other) {
        return punches == null ? null : punches.get(other);
    }

    Punch startPunch(SimNode other, long now) {
        if (punches == null) {
            punches = new java.util.HashMap<>(4);
        }
        Punch p = new Punch(now);
        punches.put(other, p);
        return p;
    }

    void endPunch(SimNode other) {
        punches.remove(other);
    }

    /** Stopped: punches under way end with this life (their timers find them gone). */
    void endPunches() {
        punches = null;
    }

    void addLink(SimLink link) {
        if (links == null) {
            links = new SimLink[4];
            linkIds = new long[4];
            linkPeers = new SimNode[4];
        } else if (linkCount == links.length) {
            links = Arrays.copyOf(links, linkCount * 2);
            linkIds = Arrays.copyOf(linkIds, linkCount * 2);
            linkPeers = Arrays.copyOf(linkPeers, linkCount * 2);
        }
        links[linkCount] = link;
        linkIds[linkCount] = link.id;
        linkPeers[linkCount] = link.peer;
        linkCount++;
    }

    void removeLink(SimLink link) {
        removeLink(link.id);
    }

    /** Our end of the link {@code id}, taken away (the others keep their order); null if we hold none. */
    SimLink removeLink(long id) {
        int i = indexOf(id);
        if (i < 0) {
            return null;
        }
        SimLink l = links[i];
        int tail = --linkCount - i;
        System.arraycopy(links, i + 1, links, i, tail);
        System.arraycopy(linkIds, i + 1, linkIds, i, tail);
        System.arraycopy(linkPeers, i + 1, linkPeers, i, tail);
        links[linkCount] = null;
        linkPeers[linkCount] = null;
        return l;
    }

    /** Our end of the link {@code id}, or null. */
    SimLink link(long id) {
        int i = indexOf(id);
        return i < 0 ? null : links[i];
    }

    private int indexOf(long id) {
        for (int i = 0; i < linkCount; i++) {
            if (linkIds[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Our end of a link to {@code other} (the oldest, if two were dialled at once), or null. */
    SimLink linkTo(SimNode other) {
        for (int i = 0; i < linkCount; i++) {
            if (linkPeers[i] == other) {
                return links[i];
            }
        }
        return null;
    }

    /** An id for a link this node dials: its index and a count of its dials. */
    long nextLinkId() {
        return ((long) index << 32) | (dials++ & 0xFFFF_FFFFL);
    }

    int linkEnds() {
        return linkCount;
    }

    List<SimLink> linksSnapshot() {
        return linkCount == 0 ? List.of() : List.of(Arrays.copyOf(links, linkCount));
    }

    @Override
    public String toString() {
        return "SimNode#" + index + (alive ? "" : "(dead)");
    }

    /** A timer bound to one life of a node. */
    private static final class NodeTimer implements Runnable, Cancellable {
        private final SimNode node;
        private final int incarnation;
        private Runnable task;

        NodeTimer(SimNode node, int incarnation, Runnable task) {
            this.node = node;
            this.incarnation = incarnation;
            this.task = task;
        }

        @Override
        public void run() {
            Runnable t = task;
            task = null;
            if (t != null && node.alive && node.incarnation == incarnation) {
                t.run();
            }
        }

        @Override
        public void cancel() {
            task = null;
        }
    }
}
