package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kademlia's iterative lookup as a pure state machine (after rust-libp2p's closest-peers
 * iterator): {@link #next()} says whom to ask, {@link #onSuccess} and {@link #onFailure}
 * feed it the answers. At most {@code alpha} requests are in flight; it finishes when the
 * {@code k} closest peers it knows of (failed ones skipped) have all answered. A request
 * that is slow to answer can be declared stalled ({@link #onStalled}): it stops counting
 * against alpha and the lookup goes on without waiting for it, but may still use its answer.
 */
public final class Lookup {
    private enum State { FRESH, WAITING, STALLED, SUCCEEDED, FAILED }

    private static final class Candidate {
        final PeerAddress address;
        final int hop;
        State state = State.FRESH;

        Candidate(PeerAddress address, int hop) {
            this.address = address;
            this.hop = hop;
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
    private final ArrayList<Candidate> candidates = new ArrayList<>();
    private final Map<NodeId, Candidate> byId = new HashMap<>();
    private int inFlight;
    private int queried;

    /** A lookup of {@code target} starting from {@code seeds}; {@code self} is never a candidate. */
    public Lookup(NodeId target, int k, int alpha, NodeId self, Collection<PeerAddress> seeds) {
        this.target = target;
        this.k = k;
        this.alpha = alpha;
        this.self = self;
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
        int live = 0;
        for (Candidate c : candidates) {
            if (!c.counts()) {
                continue;
            }
            if (live++ >= k) {
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
        int live = 0;
        for (Candidate c : candidates) {
            if (!c.counts()) {
                continue;
            }
            if (live++ >= k) {
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
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED) {
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
        if (p == null || p.id() == null || p.id().equals(self) || byId.containsKey(p.id())) {
            return;
        }
        Candidate c = new Candidate(p, hop);
        byId.put(p.id(), c);
        int lo = 0;
        int hi = candidates.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (target.compareDistance(candidates.get(mid).address.id(), p.id()) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        candidates.add(lo, c);
    }

    private Candidate find(PeerAddress peer) {
        return peer.id() == null ? null : byId.get(peer.id());
    }
}
