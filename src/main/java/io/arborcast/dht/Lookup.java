package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Kademlia's iterative lookup as a pure state machine (after rust-libp2p's closest-peers
 * iterator): {@link #next()} says whom to ask, {@link #onSuccess} and {@link #onFailure}
 * feed it the answers. At most {@code alpha} requests are in flight; it finishes when the
 * {@code k} closest peers it knows of (failed ones skipped) have all answered. A request
 * that is slow to answer can be declared stalled ({@link #onStalled}): it stops counting
 * against alpha and the lookup goes on without waiting for it, but may still use its answer.
 *
 * <p>Address diversity (eclipse resistance): among the k closest it waits for, at most
 * {@code maxPerSubnet} may share a /24 (IPv6 /64; loopback exempt). Sybils crowded around a
 * key from a few subnets, answering only with each other, then fill a few places of the
 * lookup's window, and it goes on to the honest nodes behind them.
 */
public final class Lookup {
    private enum State { FRESH, WAITING, STALLED, SUCCEEDED, FAILED }

    private static final class Candidate {
        final PeerAddress address;
        /** The first 64 bits of its distance to the target: most comparisons need nothing else. */
        final long distance;
        final int hop;
        /** Hash of the address's subnet, {@link #NO_SUBNET} for loopback (no limit); worked out when first needed. */
        private int subnet;
        private boolean subnetKnown;
        State state = State.FRESH;

        Candidate(PeerAddress address, long distance, int hop) {
            this.address = address;
            this.distance = distance;
            this.hop = hop;
        }

        /** Most candidates never come near the window, so their host text is never read. */
        int subnet() {
            if (!subnetKnown) {
                String h = address.host();
                subnet = RoutingTable.isLoopback(h) ? NO_SUBNET : RoutingTable.subnetKey(h);
                subnetKnown = true;
            }
            return subnet;
        }

        /** Whether it is among the peers the lookup waits for: failed and stalled ones are passed over. */
        boolean counts() {
            return state != State.FAILED && state != State.STALLED;
        }
    }

    private final NodeId target;
    private final int k;
    private final int alpha;
    private final NodeId self;
    private final int maxPerSubnet;
    /** Subnets of the window walked so far (scratch, reused). */
    private final int[] windowSubnets;
    private int windowSize;
    /** Everyone heard of, closest to the target first; distances are unique, so this is also the index by id. */
    private final ArrayList<Candidate> candidates = new ArrayList<>();
    private int inFlight;
    private int queried;

    /** A lookup of {@code target} starting from {@code seeds}; {@code self} is never a candidate. */
    public Lookup(NodeId target, int k, int alpha, NodeId self, Collection<PeerAddress> seeds) {
        this(target, k, alpha, 0, self, seeds);
    }

    /** As above, with at most {@code maxPerSubnet} of one subnet among the k it waits for (0 = no limit). */
    public Lookup(NodeId target, int k, int alpha, int maxPerSubnet, NodeId self, Collection<PeerAddress> seeds) {
        this.target = target;
        this.k = k;
        this.alpha = alpha;
        this.self = self;
        this.maxPerSubnet = maxPerSubnet;
        this.windowSubnets = new int[k];
        for (PeerAddress s : seeds) {
            add(s, 1);
        }
    }

    public NodeId target() {
        return target;
    }

    /**
     * The next peer to ask now, or null when there is none: either requests are in flight and
     * more must come back first, or the lookup is {@link #finished()}.
     */
    public PeerAddress next() {
        if (inFlight >= alpha) {
            return null;
        }
        windowSize = 0;
        for (Candidate c : candidates) {
            if (!inWindow(c)) {
                continue;
            }
            if (windowSize > k) {
                break;
            }
            if (c.state == State.FRESH) {
                c.state = State.WAITING;
                inFlight++;
                queried++;
                return c.address;
            }
        }
        return null;
    }

    /** True when the k closest known (non-failed) peers have all answered, or nobody is left to ask. */
    public boolean finished() {
        if (inFlight > 0) {
            return false;
        }
        windowSize = 0;
        for (Candidate c : candidates) {
            if (!inWindow(c)) {
                continue;
            }
            if (windowSize > k) {
                break;
            }
            if (c.state != State.SUCCEEDED) {
                return false;
            }
        }
        return true;
    }

    /** {@code peer} answered with {@code closer} contacts. */
    public void onSuccess(PeerAddress peer, List<PeerAddress> closer) {
        Candidate c = find(peer);
        if (c == null || (c.state != State.WAITING && c.state != State.STALLED)) {
            return;
        }
        if (c.state == State.WAITING) {
            inFlight--;
        }
        c.state = State.SUCCEEDED;
        for (PeerAddress p : closer) {
            add(p, c.hop + 1);
        }
    }

    /** {@code peer} did not answer in time (or answered nonsense). */
    public void onFailure(PeerAddress peer) {
        Candidate c = find(peer);
        if (c != null && (c.state == State.WAITING || c.state == State.STALLED)) {
            if (c.state == State.WAITING) {
                inFlight--;
            }
            c.state = State.FAILED;
        }
    }

    /** {@code peer} is slow: stop counting it against alpha; a late answer still counts. */
    public void onStalled(PeerAddress peer) {
        Candidate c = find(peer);
        if (c != null && c.state == State.WAITING) {
            c.state = State.STALLED;
            inFlight--;
        }
    }

    /** The up to k closest peers that answered, closest first. */
    public List<PeerAddress> closest() {
        List<PeerAddress> out = new ArrayList<>(k);
        windowSize = 0;
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED && inWindow(c)) {
                out.add(c.address);
                if (out.size() == k) {
                    break;
                }
            }
        }
        return out;
    }

    /** RPC hops to the closest peer that answered (1 = a seed); 0 if none answered. */
    public int hops() {
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED) {
                return c.hop;
            }
        }
        return 0;
    }

    /** Requests sent so far. */
    public int queried() {
        return queried;
    }

    private void add(PeerAddress p, int hop) {
        if (p == null || p.id() == null || p.id().equals(self)) {
            return;
        }
        int at = search(p.id());
        if (at < 0) {
            candidates.add(-at - 1, new Candidate(p, target.high64() ^ p.id().high64(), hop));
        }
    }

    /** Index of the candidate with {@code id}, or -(insertion point) - 1 as {@code Arrays.binarySearch}. */
    private int search(NodeId id) {
        long d = target.high64() ^ id.high64();
        int lo = 0;
        int hi = candidates.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Candidate c = candidates.get(mid);
            int cmp = Long.compareUnsigned(c.distance, d);
            if (cmp == 0) {
                cmp = target.compareDistance(c.address.id(), id);
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else if (cmp > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    /**
     * Walking the candidates closest first: true if {@code c} takes a place in the window (it
     * counts, and its subnet has room), which then grows by one; past k places, callers stop.
     */
    private boolean inWindow(Candidate c) {
        if (!c.counts()) {
            return false;
        }
        int subnet = maxPerSubnet > 0 ? c.subnet() : NO_SUBNET;
        if (subnet != NO_SUBNET) {
            int same = 0;
            for (int i = 0; i < Math.min(windowSize, k); i++) {
                if (windowSubnets[i] == subnet && ++same >= maxPerSubnet) {
                    return false;
                }
            }
        }
        if (windowSize < k) {
            windowSubnets[windowSize] = subnet;
        }
        windowSize++;
        return true;
    }

    private static final int NO_SUBNET = Integer.MIN_VALUE;

    private Candidate find(PeerAddress peer) {
        int at = peer.id() == null ? -1 : search(peer.id());
        return at < 0 ? null : candidates.get(at);
    }
}
