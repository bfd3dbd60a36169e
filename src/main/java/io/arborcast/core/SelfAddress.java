package io.arborcast.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a node believes its own address is, learned from what peers observe (as libp2p's
 * identify does), never from a guess alone. Peers report the address they see us at (in DHT
 * pongs and link preambles); an address is adopted when
 * <ul>
 *   <li>it is one of this host's own interface addresses and a peer saw us at it (nothing to
 *       translate it: one report suffices, and a liar can only confirm what is ours), or</li>
 *   <li>{@link #AGREEMENT} distinct peers from at least two /24s (IPv6: /64s) agree on it (a
 *       NAT's outside address), so one peer, or one subnet of many, cannot move it.</li>
 * </ul>
 * A configured address wins over all of it. Beliefs are kept per family and per reach
 * (public, private), so a node behind a NAT knows both its LAN and its outside address and
 * gives each peer the one that peer can reach ({@link #hostFor}). Plain state, no I/O.
 */
public final class SelfAddress {
    /** Distinct peers that must agree on an address that is not one of our interfaces. */
    public static final int AGREEMENT = 3;
    private static final int MAX_REPORTS = 64;

    /** How a belief came about. */
    public enum Source {
        CONFIGURED("configured"), CONFIRMED("an interface address a peer saw us at"),
        AGREED("seen at by " + AGREEMENT + "+ peers from 2+ subnets"), INTERFACE("an interface address, not yet confirmed"),
        FALLBACK("the bind address: no other known");

        private final String text;

        Source(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** An address we hold for ourselves, why, and who can reach it (worked out once: read per message sent). */
    public record Belief(String host, Source source, AddressScope scope) {
        public Belief(String host, Source source) {
            this(host, source, AddressScope.of(host));
        }

        boolean ipv6() {
            return host.indexOf(':') >= 0;
        }
    }

    private record Report(String host, int reporterSubnet) {
    }

    private final Belief configured;
    private final List<Belief> interfaces;
    private final Belief fallback;
    /** Adopted beliefs, by family and reach (see {@link #slot}). */
    private final Map<String, Belief> adopted = new LinkedHashMap<>();
    /** The adopted beliefs, then the interface addresses: what {@link #hostFor} chooses from, kept as they change. */
    private List<Belief> known;
    /** What peers saw us at, where it differs from what we hold: the count that may change it. */
    private final Map<NodeId, Report> reports = Lru.map(MAX_REPORTS);

    /**
     * @param configured    the user's address (null or empty: learn it)
     * @param interfaceHosts this host's own addresses (loopback and link-local ones are ignored)
     * @param fallback      what to say when nothing else is known (the bind address, or loopback)
     */
    public SelfAddress(String configured, List<String> interfaceHosts, String fallback) {
        this.configured = configured == null || configured.isEmpty() ? null
                : new Belief(PeerAddress.canonicalHost(configured), Source.CONFIGURED);
        List<Belief> own = new ArrayList<>();
        for (String h : interfaceHosts) {
            Belief b = new Belief(PeerAddress.canonicalHost(h), Source.INTERFACE);
            if (b.scope() == AddressScope.PUBLIC || b.scope() == AddressScope.PRIVATE) {
                own.add(b);
            }
        }
        own.sort((a, b) -> Boolean.compare(a.scope() != AddressScope.PUBLIC, b.scope() != AddressScope.PUBLIC));
        this.interfaces = List.copyOf(own);
        this.known = interfaces;
        this.fallback = new Belief(PeerAddress.canonicalHost(fallback), Source.FALLBACK);
    }

    private static String slot(Belief b) {
        return (b.ipv6() ? "6" : "4") + (b.scope() == AddressScope.PUBLIC ? "public" : "private");
    }

    /**
     * {@code reporter} says it sees us at {@code seenHost}. Returns true if that changed what
     * we believe. Reports from loopback peers, or of loopback or link-local addresses, say
     * nothing about how others reach us and are ignored.
     */
    public boolean report(PeerAddress reporter, String seenHost) {
        if (reporter.id() == null || reporter.scope() == AddressScope.LOOPBACK || seenHost == null || seenHost.isEmpty()) {
            return false;
        }
        Belief seen = new Belief(PeerAddress.canonicalHost(seenHost), Source.AGREED);
        if (seen.scope() == AddressScope.LOOPBACK || seen.scope() == AddressScope.LINK_LOCAL) {
            return false;
        }
        Belief now = adopted.get(slot(seen));
        if (now != null && now.host().equals(seen.host())) {
            reports.remove(reporter.id()); // agrees with what we hold: nothing to count
            return false;
        }
        reports.put(reporter.id(), new Report(seen.host(), reporter.subnet()));
        if (isInterface(seen.host())) {
            return adopt(new Belief(seen.host(), Source.CONFIRMED));
        }
        if (now != null && now.source() == Source.CONFIRMED) {
            return false; // our own interface address, seen by a peer, is not argued away
        }
        int agreeing = 0;
        Set<Integer> subnets = new HashSet<>();
        for (Report r : reports.values()) {
            if (r.host().equals(seen.host())) {
                agreeing++;
                subnets.add(r.reporterSubnet());
            }
        }
        return agreeing >= AGREEMENT && subnets.size() >= 2 && adopt(seen);
    }

    private boolean adopt(Belief b) {
        if (b.equals(adopted.put(slot(b), b))) {
            return false;
        }
        List<Belief> all = new ArrayList<>(adopted.values());
        all.addAll(interfaces);
        known = List.copyOf(all);
        return true;
    }

    private boolean isInterface(String host) {
        for (Belief b : interfaces) {
            if (b.host().equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** The address we go by when no peer is in view: the one in {@link Transport#localAddress}. */
    public Belief primary() {
        if (configured != null) {
            return configured;
        }
        for (String slot : List.of("4public", "6public")) {
            if (adopted.containsKey(slot)) {
                return adopted.get(slot);
            }
        }
        for (Belief b : interfaces) {
            if (b.scope() == AddressScope.PUBLIC) {
                return b;
            }
        }
        for (String slot : List.of("4private", "6private")) {
            if (adopted.containsKey(slot)) {
                return adopted.get(slot);
            }
        }
        return interfaces.isEmpty() ? fallback : interfaces.get(0);
    }

    /**
     * The host to give {@code peer} for ourselves: one it can reach, of its family if we have
     * one, adopted before merely guessed; null if none of ours can be reached from there (then
     * the peer uses the address it sees us at).
     */
    public String hostFor(PeerAddress peer) {
        if (configured != null) {
            return configured.host();
        }
        AddressScope scope = peer.scope();
        if (scope == AddressScope.LOOPBACK || scope == AddressScope.LINK_LOCAL) {
            return null; // the peer is on our host or link: it sees us where it reached us
        }
        boolean v6 = peer.host().indexOf(':') >= 0;
        String best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Belief b : known) {
            if (!b.scope().reachableFrom(scope)) {
                continue;
            }
            int rank = (b.ipv6() == v6 ? 0 : 4) + (b.source() == Source.INTERFACE ? 2 : 0)
                    + (b.scope() == AddressScope.PUBLIC ? 0 : 1);
            if (rank < bestRank) {
                best = b.host();
                bestRank = rank;
            }
        }
        return best;
    }

    /** True if {@code host} is one of ours (interface, adopted, configured or the fallback). */
    public boolean isOwn(String host) {
        String h = PeerAddress.canonicalHost(host);
        if (configured != null && configured.host().equals(h) || fallback.host().equals(h)) {
            return true;
        }
        for (Belief b : known) {
            if (b.host().equals(h)) {
                return true;
            }
        }
        return false;
    }
}
