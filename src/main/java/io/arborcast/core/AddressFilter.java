package io.arborcast.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The addresses inside messages, fixed up at both ends of every hop, so that no peer learns an
 * address it cannot reach and every node uses the address it has itself observed for a peer.
 * Both transports (real and simulated) run every message through it.
 *
 * <p>Outbound, to peer P: our own address becomes the one P can reach ({@link SelfAddress#hostFor});
 * another peer's address that P cannot reach (loopback or link-local to another host, a private
 * one to a public peer) is left out. Inbound, from peer F: F's own entries become the address
 * we see F at (observed, with F's declared listening port), any other peer we hold a link to is
 * named by that link's address, and unreachable ones, or another id at our own address, are left out.
 *
 * <p>Where an entry cannot be left out (an ancestor path, whose length is the depth; a subtree
 * report, whose entries point at each other; the sender's own state) it stays as it was; only
 * a forwarded third party ({@code ForwardJoin}, {@code ProbeRequest}) is dropped with its message.
 */
public final class AddressFilter {
    private final NodeId self;
    private final SelfAddress selfAddress;
    private final int port;
    private final Function<NodeId, PeerAddress> linked;

    /**
     * @param linked the address of the open link to a peer id, or null (the transport's links)
     */
    public AddressFilter(NodeId self, SelfAddress selfAddress, int port, Function<NodeId, PeerAddress> linked) {
        this.self = self;
        this.selfAddress = selfAddress;
        this.port = port;
        this.linked = linked;
    }

    /** {@code m} as {@code to} may see it; null if it must not be sent. */
    public Message outbound(PeerAddress to, Message m) {
        if (!carriesAddresses(m)) {
            return m;
        }
        AddressScope peer = to.scope();
        return map(m, a -> {
            if (a.id() != null && a.id().equals(self)) {
                String host = selfAddress.hostFor(to);
                return host == null || host.equals(a.host()) ? a : new PeerAddress(self, host, port);
            }
            return a.scope().reachableFrom(peer) ? a : null;
        });
    }

    /** {@code m} from {@code from} with its addresses made ours; null if it must be dropped. */
    public Message inbound(PeerAddress from, Message m) {
        if (!carriesAddresses(m) || from.id() == null) {
            return m;
        }
        AddressScope sender = from.scope();
        return map(m, a -> {
            if (a.id() != null && a.id().equals(from.id())) {
                return from;
            }
            if (a.id() != null && !a.id().equals(self)) {
                PeerAddress seen = linked.apply(a.id());
                if (seen != null) {
                    return seen;
                }
                if (a.port() == port && selfAddress.isOwn(a.host())) {
                    return null; // another id at our own address: stale (we restarted) or a lie, never dialled
                }
            }
            return a.scope().reachableFrom(sender) ? a : null;
        });
    }

    private static boolean carriesAddresses(Message m) {
        return !(m instanceof StreamMessage) && !(m instanceof LinkMessage);
    }

    /**
     * {@code m} with each address replaced by {@code f}'s answer (null: leave it out where that
     * is possible); {@code m} itself when nothing changed, null when a forwarded peer is unusable.
     */
    static Message map(Message m, UnaryOperator<PeerAddress> f) {
        return switch (m) {
            case DhtMessage d -> mapDht(d, f);
            case GossipMessage g -> mapGossip(g, f);
            case TreeMessage t -> mapTree(t, f);
            case StreamMessage _, LinkMessage _, SourceMessage _ -> m;
        };
    }

    // Each switch names every message type, so a new one with addresses cannot slip through unfiltered.

    private static Message mapDht(DhtMessage m, UnaryOperator<PeerAddress> f) {
        return switch (m) {
            case DhtMessage.Nodes n -> {
                List<PeerAddress> c = addresses(n.contacts(), f);
                yield c == n.contacts() ? m : new DhtMessage.Nodes(n.rpcId(), c);
            }
            case DhtMessage.Value v -> {
                List<ProviderInfo> p = list(v.providers(), x -> provider(x, f));
                List<PeerAddress> c = addresses(v.contacts(), f);
                yield p == v.providers() && c == v.contacts() ? m : new DhtMessage.Value(v.rpcId(), v.record(), p, c);
            }
            case DhtMessage.AnnounceProvider a -> {
                ProviderInfo p = provider(a.provider(), f);
                yield p == null || p == a.provider() ? m
                        : new DhtMessage.AnnounceProvider(a.rpcId(), a.channel(), p, a.ttlSeconds(), a.client());
            }
            case DhtMessage.Ping _, DhtMessage.Pong _, DhtMessage.FindNode _, DhtMessage.FindValue _,
                 DhtMessage.Store _, DhtMessage.StoreResult _, DhtMessage.DialBack _, DhtMessage.DialingBack _,
                 DhtMessage.StoreListing _, DhtMessage.FindListings _, DhtMessage.Listings _ -> m; // listings name no address
        };
    }

    private static Message mapGossip(GossipMessage m, UnaryOperator<PeerAddress> f) {
        return switch (m) {
            case GossipMessage.Join j -> {
                PeerState s = keep(j.sender(), f);
                yield s == j.sender() ? m : new GossipMessage.Join(j.channel(), s);
            }
            case GossipMessage.ForwardJoin j -> {
                PeerState s = state(j.joiner(), f);
                yield s == null ? null : s == j.joiner() ? m : new GossipMessage.ForwardJoin(j.channel(), s, j.ttl());
            }
            case GossipMessage.Neighbor n -> {
                PeerState s = keep(n.sender(), f);
                yield s == n.sender() ? m : new GossipMessage.Neighbor(n.channel(), s, n.urgent());
            }
            case GossipMessage.NeighborReply r -> {
                PeerState s = keep(r.sender(), f);
                yield s == r.sender() ? m : new GossipMessage.NeighborReply(r.channel(), s, r.accepted());
            }
            case GossipMessage.Shuffle s -> {
                PeerState o = keep(s.origin(), f);
                List<PeerState> sample = states(s.sample(), f);
                yield o == s.origin() && sample == s.sample() ? m
                        : new GossipMessage.Shuffle(s.channel(), o, s.ttl(), sample);
            }
            case GossipMessage.ShuffleReply r -> {
                List<PeerState> sample = states(r.sample(), f);
                yield sample == r.sample() ? m : new GossipMessage.ShuffleReply(r.channel(), sample);
            }
            case GossipMessage.Heartbeat h -> {
                PeerState s = keep(h.state(), f);
                yield s == h.state() ? m : new GossipMessage.Heartbeat(h.channel(), h.seq(), s);
            }
            case GossipMessage.ProbeRequest p -> {
                PeerAddress a = f.apply(p.suspect());
                yield a == null ? null : a == p.suspect() ? m : new GossipMessage.ProbeRequest(p.channel(), a, p.nonce());
            }
            case GossipMessage.Disconnect _, GossipMessage.Probe _, GossipMessage.ProbeAck _,
                 GossipMessage.ProbeResult _ -> m;
        };
    }

    private static Message mapTree(TreeMessage m, UnaryOperator<PeerAddress> f) {
        return switch (m) {
            case TreeMessage.Accept a -> {
                List<PeerAddress> path = path(a.ancestors(), f);
                yield path == a.ancestors() ? m : new TreeMessage.Accept(a.channel(), path);
            }
            case TreeMessage.PathUpdate u -> {
                List<PeerAddress> path = path(u.ancestors(), f);
                yield path == u.ancestors() ? m : new TreeMessage.PathUpdate(u.channel(), path);
            }
            case TreeMessage.Refuse r -> {
                List<PeerState> alt = states(r.alternatives(), f);
                yield alt == r.alternatives() ? m : new TreeMessage.Refuse(r.channel(), r.reason(), alt);
            }
            case TreeMessage.Displace d -> {
                List<PeerState> alt = states(d.alternatives(), f);
                yield alt == d.alternatives() ? m : new TreeMessage.Displace(d.channel(), alt);
            }
            case TreeMessage.Room r -> {
                List<PeerState> above = states(r.above(), f);
                yield above == r.above() ? m : new TreeMessage.Room(r.channel(), above);
            }
            case TreeMessage.Subtree s -> {
                List<TreeMessage.Subtree.Entry> e = list(s.entries(), x -> {
                    PeerAddress a = keepAddress(x.peer(), f);
                    return a == x.peer() ? x : new TreeMessage.Subtree.Entry(a, x.parent());
                });
                yield e == s.entries() ? m : new TreeMessage.Subtree(s.channel(), e, s.nodes());
            }
            case TreeMessage.AttachVia v -> { // a reversal is no use with either end unreachable
                PeerAddress parent = f.apply(v.parent());
                PeerAddress child = f.apply(v.child());
                yield parent == null || child == null ? null : parent == v.parent() && child == v.child() ? m
                        : new TreeMessage.AttachVia(parent, child, v.attach());
            }
            case TreeMessage.Punch p -> { // likewise a hole punch
                PeerAddress parent = f.apply(p.parent());
                PeerAddress child = f.apply(p.child());
                yield parent == null || child == null ? null : parent == p.parent() && child == p.child() ? m
                        : new TreeMessage.Punch(p.channel(), parent, child, p.dialing());
            }
            case TreeMessage.Attach _, TreeMessage.Keepalive _, TreeMessage.Clock _, TreeMessage.Detach _,
                 TreeMessage.Pull _ -> m;
        };
    }

    private static PeerAddress keepAddress(PeerAddress a, UnaryOperator<PeerAddress> f) {
        PeerAddress b = f.apply(a);
        return b == null ? a : b;
    }

    private static PeerState state(PeerState s, UnaryOperator<PeerAddress> f) {
        if (s == null) {
            return null; // (a heartbeat without a state)
        }
        PeerAddress a = f.apply(s.address());
        PeerAddress via = s.via() == null ? null : keepAddress(s.via(), f); // (never dropped: that would make it dialable)
        return a == null ? null : a == s.address() && via == s.via() ? s
                : new PeerState(a, s.depth(), s.freeSlots(), s.listenerChildren(), s.uploadKbps(), s.uptimeSeconds(),
                s.version(), via);
    }

    private static PeerState keep(PeerState s, UnaryOperator<PeerAddress> f) {
        PeerState t = state(s, f); // null for a null state, or an unreachable one: left as it was
        return t == null ? s : t;
    }

    private static ProviderInfo provider(ProviderInfo p, UnaryOperator<PeerAddress> f) {
        PeerAddress a = f.apply(p.address());
        PeerAddress via = p.via() == null ? null : keepAddress(p.via(), f);
        return a == null ? null : a == p.address() && via == p.via() ? p
                : new ProviderInfo(a, p.depth(), p.freeSlots(), via);
    }

    private static List<PeerState> states(List<PeerState> l, UnaryOperator<PeerAddress> f) {
        return list(l, s -> state(s, f));
    }

    private static List<PeerAddress> addresses(List<PeerAddress> l, UnaryOperator<PeerAddress> f) {
        return list(l, f);
    }

    private static List<PeerAddress> path(List<PeerAddress> l, UnaryOperator<PeerAddress> f) {
        return list(l, a -> keepAddress(a, f));
    }

    /** {@code l} mapped by {@code f} (null answers left out); {@code l} itself if every answer was its element. */
    private static <T> List<T> list(List<T> l, Function<T, T> f) {
        List<T> out = null;
        for (int i = 0; i < l.size(); i++) {
            T x = l.get(i);
            T y = f.apply(x);
            if (y != x && out == null) {
                out = new ArrayList<>(l.size());
                out.addAll(l.subList(0, i));
            }
            if (out != null && y != null) {
                out.add(y);
            }
        }
        return out == null ? l : out;
    }
}
