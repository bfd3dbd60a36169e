package io.arborcast.gossip;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.GossipMessage;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.Transport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One channel's membership at one peer: a small symmetric active view over links and a larger
 * passive view of backups (HyParView), heartbeats on active links with an indirect probe
 * through another neighbour before a silent peer is declared dead (SWIM). Sans-IO: inputs
 * are {@link #onMessage} and {@link #onLinkClosed}; output goes through the transport.
 */
public final class ChannelGossip {
    /** Hears when an active neighbour is declared dead (by silence, probe or link loss). */
    public interface Listener {
        void peerDead(PeerAddress peer, String why);
    }

    private static final class Active {
        PeerState state;
        long lastHeard;
        /** When we last sent it anything (at first: when it became our neighbour). */
        long lastSent;
        long probeNonce;
        Cancellable probeTimer;
        long sentVersion = -1;

        Active(PeerState state, long now) {
            this.state = state;
            this.lastHeard = now;
            this.lastSent = now;
        }
    }

    private record PendingProbe(PeerAddress requester, PeerAddress suspect, Cancellable timer) {
    }

    private final NodeId channel;
    private final GossipConfig config;
    private final Environment env;
    private final Transport transport;
    private final Listener listener;
    private final long startedAt;
    private final LinkedHashMap<NodeId, Active> active = new LinkedHashMap<>();
    private final LinkedHashMap<NodeId, PeerState> passive = new LinkedHashMap<>();
    private final Map<Long, PendingProbe> probesForOthers = new HashMap<>();
    private final GossipStats stats = new GossipStats();
    private List<PeerState> lastShuffleSample = List.of();
    private NodeId pendingNeighbor;
    private Cancellable neighborTimer;
    /** NEIGHBOR requests refused in a row since the active view last grew or shrank, and when to ask next. */
    private int refusals;
    private long nextAskAt;
    private int depth;
    private int freeSlots;
    private int listenerChildren;
    private int uploadKbps;
    private PeerAddress via;
    private long version;
    private long heartbeatSeq;
    private boolean stopped;
    private boolean silentRefusals;
    private java.util.function.Consumer<PeerState> observer = p -> { };

    public ChannelGossip(NodeId channel, GossipConfig config, Environment env, Transport transport, Listener listener) {
        this.channel = channel;
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.listener = listener;
        this.startedAt = env.now();
        env.schedule(config.stateMillis(), this::heartbeatRound);
        env.schedule(config.shuffleMillis() / 2 + env.random().nextInt((int) Math.max(1, config.shuffleMillis())),
                this::shuffleRound);
    }

    public NodeId channel() {
        return channel;
    }

    /** {@code o} sees every peer state that arrives by gossip (for the tree's parent candidates). */
    public void setObserver(java.util.function.Consumer<PeerState> o) {
        this.observer = o;
    }

    public GossipStats stats() {
        return stats;
    }

    /**
     * Updates what we tell others about ourselves ({@code newVia}: null if peers can dial us, else
     * whom to ask, see {@link PeerState#via}); a new version goes to the active neighbours at the
     * next state round.
     */
    public void setLocalState(int newDepth, int newFreeSlots, int newListenerChildren, int newUploadKbps,
                              PeerAddress newVia) {
        if (newDepth != depth || newFreeSlots != freeSlots || newListenerChildren != listenerChildren
                || newUploadKbps != uploadKbps || !java.util.Objects.equals(newVia, via)) {
            depth = newDepth;
            freeSlots = newFreeSlots;
            listenerChildren = newListenerChildren;
            uploadKbps = newUploadKbps;
            via = newVia;
            version++;
        }
    }

    /**
     * Refuse NEIGHBOR requests by silence once the active view is full, urgent ones too (an
     * isolated asker has other passive peers to ask), not by a reply: the asker's timeout then
     * drops us from its passive view, where a refusal would keep us there to be asked again. For
     * the source, whose upload is the channel's bottleneck: at 3,000 listeners refusals were
     * three quarters of the gossip answers it sent, and their number grows with the audience.
     */
    public void refuseBySilence() {
        this.silentRefusals = true;
    }

    /** Our own current state. */
    public PeerState self() {
        int uptime = (int) Math.min(Integer.MAX_VALUE, (env.now() - startedAt) / 1000);
        return new PeerState(transport.localAddress(), depth, freeSlots, listenerChildren, uploadKbps, uptime, version,
                via);
    }

    /** Joins the channel's overlay through any member (a DHT provider, say). */
    public void join(PeerAddress contact) {
        if (contact.id() == null || contact.id().equals(myId())) {
            throw new IllegalArgumentException("a gossip contact needs a node id other than ours");
        }
        send(contact, new GossipMessage.Join(channel, self()));
    }

    /** Stops timers and leaves: active neighbours are told so they can replace us at once. */
    public void leave() {
        stopped = true;
        for (Active a : active.values()) {
            send(a.state.address(), new GossipMessage.Disconnect(channel));
        }
        active.clear();
    }

    /** The active neighbours' latest states. */
    public List<PeerState> activeView() {
        List<PeerState> out = new ArrayList<>(active.size());
        active.values().forEach(a -> out.add(a.state));
        return out;
    }

    public List<PeerState> passiveView() {
        return new ArrayList<>(passive.values());
    }

    /**
     * Every peer we know of in this channel with its latest state: active first, then passive;
     * a new list, the caller's to change (with room for a few more).
     */
    public List<PeerState> knownPeers() {
        List<PeerState> out = new ArrayList<>(active.size() + passive.size() + 8);
        active.values().forEach(a -> out.add(a.state));
        passive.values().forEach(out::add);
        return out;
    }

    public boolean isActive(NodeId id) {
        return active.containsKey(id);
    }

    /** Sends {@code m}; to an active neighbour it also serves as this period's heartbeat (it shows us alive). */
    private void send(PeerAddress to, GossipMessage m) {
        transport.send(to, m);
        Active a = to.id() == null ? null : active.get(to.id());
        if (a != null) {
            a.lastSent = env.now();
        }
    }

    private NodeId myId() {
        return transport.localAddress().id();
    }

    // ---------------------------------------------------------------- incoming

    public void onMessage(PeerAddress from, GossipMessage m) {
        if (stopped || from.id() == null || from.id().equals(myId())) {
            stats.dropped++;
            return;
        }
        Active sender = active.get(from.id());
        if (sender != null) {
            heard(sender);
        }
        switch (m) {
            case GossipMessage.Join j -> onJoin(from, j);
            case GossipMessage.ForwardJoin f -> onForwardJoin(from, f);
            case GossipMessage.Neighbor n -> onNeighbor(n);
            case GossipMessage.NeighborReply r -> onNeighborReply(r);
            case GossipMessage.Disconnect _ -> onDisconnect(from);
            case GossipMessage.Shuffle s -> onShuffle(from, s);
            case GossipMessage.ShuffleReply r -> integrate(r.sample(), lastShuffleSample);
            case GossipMessage.Heartbeat h -> onHeartbeat(from, h, sender);
            case GossipMessage.ProbeRequest p -> onProbeRequest(from, p);
            case GossipMessage.Probe p -> send(from, new GossipMessage.ProbeAck(channel, p.nonce()));
            case GossipMessage.ProbeAck a -> onProbeAck(from, a);
            case GossipMessage.ProbeResult r -> onProbeResult(r);
        }
    }

    /** A suspect answered the probe we sent for someone: tell the one who asked that it lives. */
    private void onProbeAck(PeerAddress from, GossipMessage.ProbeAck a) {
        PendingProbe p = probesForOthers.remove(a.nonce());
        if (p != null && p.suspect.id().equals(from.id())) {
            p.timer.cancel();
            send(p.requester, new GossipMessage.ProbeResult(channel, a.nonce(), true));
        }
    }

    /** The link to {@code peer} closed: an active neighbour on it is gone. */
    public void onLinkClosed(PeerAddress peer, String reason) {
        if (stopped || peer.id() == null) {
            return;
        }
        for (Map.Entry<Long, PendingProbe> e : new ArrayList<>(probesForOthers.entrySet())) {
            if (e.getValue().suspect.id().equals(peer.id())) {
                probesForOthers.remove(e.getKey());
                e.getValue().timer.cancel();
                send(e.getValue().requester, new GossipMessage.ProbeResult(channel, e.getKey(), false));
            }
        }
        Active a = active.get(peer.id());
        if (a != null) {
            declareDead(a, "link closed: " + reason);
        } else if (peer.id().equals(pendingNeighbor)) {
            passive.remove(peer.id());
            neighborDone(true);
        }
    }

    private void onJoin(PeerAddress from, GossipMessage.Join j) {
        if (!valid(j.sender(), from)) {
            return;
        }
        addActive(j.sender());
        send(j.sender().address(), new GossipMessage.NeighborReply(channel, self(), true));
        for (Active a : new ArrayList<>(active.values())) {
            if (!a.state.id().equals(j.sender().id())) {
                send(a.state.address(), new GossipMessage.ForwardJoin(channel, j.sender(),
                        config.activeWalk()));
            }
        }
    }

    private void onForwardJoin(PeerAddress from, GossipMessage.ForwardJoin f) {
        PeerState joiner = f.joiner();
        if (joiner.id().equals(myId())) {
            return;
        }
        if (!joiner.dialable()) {
            observer.accept(joiner); // nobody can connect to it: it links to whom it asks, and the walk ends
            return;
        }
        if (f.ttl() == 0 || active.size() <= 1) {
            if (!active.containsKey(joiner.id())) {
                addActive(joiner);
                send(joiner.address(), new GossipMessage.NeighborReply(channel, self(), true));
            }
            return;
        }
        if (f.ttl() == config.passiveWalk()) {
            addPassive(joiner);
        }
        PeerState next = randomActive(from.id(), joiner.id());
        if (next == null) {
            addActive(joiner);
            send(joiner.address(), new GossipMessage.NeighborReply(channel, self(), true));
        } else {
            send(next.address(), new GossipMessage.ForwardJoin(channel, joiner, f.ttl() - 1));
        }
    }

    private void onNeighbor(GossipMessage.Neighbor n) {
        boolean room = active.size() < config.activeSize() || active.containsKey(n.sender().id());
        if (room || (n.urgent() && !silentRefusals)) {
            addActive(n.sender());
            send(n.sender().address(), new GossipMessage.NeighborReply(channel, self(), true));
        } else if (silentRefusals) {
            stats.dropped++;
        } else {
            addPassive(n.sender());
            send(n.sender().address(), new GossipMessage.NeighborReply(channel, self(), false));
        }
    }

    private void onNeighborReply(GossipMessage.NeighborReply r) {
        boolean asked = r.sender().id().equals(pendingNeighbor);
        if (r.accepted()) {
            addActive(r.sender());
            refusals = 0;
        } else {
            addPassive(r.sender());
            if (asked) {
                // full views all round (a view one short of full is common: links pair nodes
                // up): one short asks less often with every refusal, up to once a shuffle period
                refusals++;
                nextAskAt = env.now() + Math.min(config.shuffleMillis(), config.stateMillis() << Math.min(refusals, 16));
            }
        }
        if (asked) {
            neighborDone(false);
        }
    }

    private void onDisconnect(PeerAddress from) {
        Active a = active.remove(from.id());
        if (a != null) {
            cancelProbe(a);
            addPassive(a.state);
            lostNeighbor();
        }
    }

    /** An active neighbour is gone: ask for a replacement now, whatever was refused before. */
    private void lostNeighbor() {
        refusals = 0;
        nextAskAt = 0;
        fillActive();
    }

    private void onHeartbeat(PeerAddress from, GossipMessage.Heartbeat h, Active sender) {
        if (sender == null) {
            // not our neighbour (we dropped it and the news was lost): say so, keep the view symmetric
            send(from, new GossipMessage.Disconnect(channel));
            return;
        }
        if (h.state() != null && valid(h.state(), from)) {
            sender.state = sender.state.newer(h.state());
            observer.accept(sender.state);
        }
    }

    // ---------------------------------------------------------------- views

    private boolean valid(PeerState s, PeerAddress from) {
        if (!s.id().equals(from.id())) {
            stats.dropped++;
            return false;
        }
        return true;
    }

    private void addActive(PeerState p) {
        if (p.id().equals(myId())) {
            return;
        }
        observer.accept(p);
        Active existing = active.get(p.id());
        if (existing != null) {
            existing.state = existing.state.newer(p);
            return;
        }
        passive.remove(p.id());
        if (active.size() >= config.activeSize()) {
            PeerState drop = randomActive(null, null);
            Active d = active.remove(drop.id());
            cancelProbe(d);
            send(drop.address(), new GossipMessage.Disconnect(channel));
            addPassive(d.state);
        }
        active.put(p.id(), new Active(p, env.now()));
    }

    /**
     * Keeps {@code p} as a backup neighbour; the tree hears of it either way. Not a peer nobody
     * can dial: the passive view is who we may connect to later.
     */
    private void addPassive(PeerState p) {
        if (p.id().equals(myId()) || active.containsKey(p.id())) {
            return;
        }
        observer.accept(p);
        if (!p.dialable()) {
            passive.remove(p.id()); // (its older state may have said otherwise)
            return;
        }
        PeerState old = passive.get(p.id());
        if (old != null) {
            passive.put(p.id(), old.newer(p));
            return;
        }
        if (passive.size() >= config.passiveSize()) {
            passive.remove(randomKey(passive, null));
        }
        passive.put(p.id(), p);
    }

    /** Asks a random passive peer to become active, one request at a time, until the view is full. */
    private void fillActive() {
        if (stopped || pendingNeighbor != null || active.size() >= config.activeSize() || passive.isEmpty()
                || (active.size() == config.activeSize() - 1 && env.now() < nextAskAt)) {
            return;
        }
        NodeId pick = randomKey(passive, null);
        PeerState p = passive.get(pick);
        pendingNeighbor = pick;
        stats.promotions++;
        send(p.address(), new GossipMessage.Neighbor(channel, self(), active.isEmpty()));
        neighborTimer = env.schedule(config.neighborMillis(), () -> {
            if (pick.equals(pendingNeighbor)) {
                passive.remove(pick); // did not answer: probably gone
                neighborDone(true);
            }
        });
    }

    /** The pending NEIGHBOR request ended; after a refusal or silence the next try waits for the next round. */
    private void neighborDone(boolean retryNow) {
        pendingNeighbor = null;
        if (neighborTimer != null) {
            neighborTimer.cancel();
            neighborTimer = null;
        }
        if (retryNow) {
            fillActive();
        }
    }

    // ---------------------------------------------------------------- failure detection

    private void heard(Active a) {
        a.lastHeard = env.now();
        if (a.probeNonce != 0) {
            stats.suspicionsCleared++;
            cancelProbe(a);
        }
    }

    /**
     * Every state interval: a neighbour that has not got our newest state gets it, one we sent
     * nothing for a heartbeat interval gets a plain heartbeat (most rounds send nothing: at a
     * plain heartbeat every round, heartbeats were over half of all messages in a stream run),
     * and one silent too long is suspected.
     */
    private void heartbeatRound() {
        if (stopped) {
            return;
        }
        long now = env.now();
        PeerState me = self();
        heartbeatSeq++;
        for (Active a : new ArrayList<>(active.values())) {
            boolean changed = a.sentVersion < me.version();
            if (changed || now - a.lastSent >= config.heartbeatMillis()) {
                a.sentVersion = me.version();
                stats.heartbeatsSent++;
                send(a.state.address(), new GossipMessage.Heartbeat(channel, heartbeatSeq, changed ? me : null));
            }
            if (now - a.lastHeard > config.suspectMillis() && a.probeNonce == 0 && active.containsKey(a.state.id())) {
                suspect(a);
            }
        }
        fillActive();
        env.schedule(config.stateMillis(), this::heartbeatRound);
    }

    private void suspect(Active a) {
        stats.suspicions++;
        PeerState helper = null;
        long now = env.now();
        for (Active h : active.values()) {
            if (h != a && now - h.lastHeard <= config.suspectMillis() && (helper == null || env.random().nextBoolean())) {
                helper = h.state;
            }
        }
        if (helper == null || !a.state.dialable()) { // (nobody else could connect to probe it)
            declareDead(a, "silent for " + (now - a.lastHeard) + " ms, no neighbour to probe through");
            return;
        }
        long nonce = env.random().nextLong() | 1;
        a.probeNonce = nonce;
        send(helper.address(), new GossipMessage.ProbeRequest(channel, a.state.address(), nonce));
        // the helper gives the suspect probe-timeout; we allow for the two extra hops to and from the helper
        a.probeTimer = env.schedule(2 * config.probeMillis(), () -> {
            if (a.probeNonce == nonce && active.get(a.state.id()) == a) {
                declareDead(a, "silent and no answer to an indirect probe");
            }
        });
    }

    private void onProbeRequest(PeerAddress from, GossipMessage.ProbeRequest p) {
        if (probesForOthers.size() >= 64) {
            stats.dropped++;
            return;
        }
        long nonce = p.nonce();
        Cancellable timer = env.schedule(config.probeMillis(), () -> {
            if (probesForOthers.remove(nonce) != null) {
                send(from, new GossipMessage.ProbeResult(channel, nonce, false));
            }
        });
        probesForOthers.put(nonce, new PendingProbe(from, p.suspect(), timer));
        send(p.suspect(), new GossipMessage.Probe(channel, nonce));
    }

    private void onProbeResult(GossipMessage.ProbeResult r) {
        for (Active a : new ArrayList<>(active.values())) {
            if (a.probeNonce == r.nonce()) {
                if (r.alive()) {
                    stats.suspicionsCleared++;
                    a.lastHeard = env.now();
                    cancelProbe(a);
                } else {
                    declareDead(a, "silent, and a neighbour's probe failed too");
                }
                return;
            }
        }
    }

    private void cancelProbe(Active a) {
        a.probeNonce = 0;
        if (a.probeTimer != null) {
            a.probeTimer.cancel();
            a.probeTimer = null;
        }
    }

    private void declareDead(Active a, String why) {
        if (active.remove(a.state.id()) == null) {
            return;
        }
        cancelProbe(a);
        passive.remove(a.state.id());
        stats.deathsDeclared++;
        transport.closeLink(a.state.address());
        listener.peerDead(a.state.address(), why);
        lostNeighbor();
    }

    // ---------------------------------------------------------------- shuffle

    private void shuffleRound() {
        if (stopped) {
            return;
        }
        PeerState target = randomActive(null, null);
        if (target != null) {
            stats.shuffles++;
            List<PeerState> sample = new ArrayList<>();
            sample.add(self());
            sample.addAll(randomSample(activeView(), config.shuffleActive(), target.id()));
            sample.addAll(randomSample(passiveView(), config.shufflePassive(), target.id()));
            lastShuffleSample = sample;
            // an answer from the end of a walk would have to connect to us: one nobody can dial
            // asks its neighbour only, which answers over the link
            PeerState me = self();
            send(target.address(), new GossipMessage.Shuffle(channel, me, me.dialable() ? config.passiveWalk() : 1,
                    sample));
        }
        env.schedule(config.shuffleMillis(), this::shuffleRound);
    }

    private void onShuffle(PeerAddress from, GossipMessage.Shuffle s) {
        if (s.origin().id().equals(myId())) {
            return;
        }
        if (s.ttl() > 1 && active.size() > 1) {
            PeerState next = randomActive(from.id(), s.origin().id());
            if (next != null) {
                send(next.address(), new GossipMessage.Shuffle(channel, s.origin(), s.ttl() - 1, s.sample()));
                return;
            }
        }
        List<PeerState> reply = randomSample(passiveView(), s.sample().size(), s.origin().id());
        if (s.origin().dialable() || s.origin().id().equals(from.id())) { // (an answer must open a link to it)
            send(s.origin().address(), new GossipMessage.ShuffleReply(channel, reply));
        }
        integrate(s.sample(), reply);
    }

    /** Merges received peer states into the passive view, evicting what we sent away first. */
    private void integrate(List<PeerState> sample, List<PeerState> sent) {
        Set<NodeId> seen = new HashSet<>();
        for (PeerState p : sample) {
            if (p.id().equals(myId()) || !seen.add(p.id())) {
                stats.dropped++;
                continue;
            }
            Active a = active.get(p.id());
            if (a != null) {
                a.state = a.state.newer(p);
                continue;
            }
            if (!passive.containsKey(p.id()) && passive.size() >= config.passiveSize()) {
                NodeId evict = null;
                for (PeerState s : sent) {
                    if (passive.containsKey(s.id())) {
                        evict = s.id();
                        break;
                    }
                }
                passive.remove(evict != null ? evict : randomKey(passive, null));
            }
            addPassive(p);
        }
    }

    // ---------------------------------------------------------------- helpers

    private PeerState randomActive(NodeId not1, NodeId not2) {
        NodeId k = randomKey(active, id -> !id.equals(not1) && !id.equals(not2));
        return k == null ? null : active.get(k).state;
    }

    private <V> NodeId randomKey(Map<NodeId, V> map, Predicate<NodeId> ok) {
        List<NodeId> keys = new ArrayList<>(map.size());
        for (NodeId id : map.keySet()) {
            if (ok == null || ok.test(id)) {
                keys.add(id);
            }
        }
        return keys.isEmpty() ? null : keys.get(env.random().nextInt(keys.size()));
    }

    private List<PeerState> randomSample(List<PeerState> from, int n, NodeId exclude) {
        List<PeerState> pool = new ArrayList<>(from);
        pool.removeIf(p -> p.id().equals(exclude));
        List<PeerState> out = new ArrayList<>(Math.min(n, pool.size()));
        while (out.size() < n && !pool.isEmpty()) {
            out.add(pool.remove(env.random().nextInt(pool.size())));
        }
        return out;
    }
}
