package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Kademlia's iterative lookup as a pure state machine (after rust-libp2p's closest-peers
 * iterator): {@link #next()} says whom to ask, {@link #onSuccess} and {@link #onFailure}
 * feed it the answers. At most {@code alpha} requests are in flight; it finishes when the
 * {@code k} closest peers it knows of (failed ones skipped) have all answered. A request
 * that is slow to answer can be declared stalled ({@link #onStalled}): it stops counting
 * against alpha and the lookup asks another peer, but does not finish while the stalled one
 * could still be among the k closest, until its caller gives up on it ({@link #onGaveUp}); a
 * late answer is used either way. So a dead peer costs a lookup one stall time in the slot it
 * held and the give-up time at the end, and a slow live one is not left out.
 *
 * <p>Once alpha answers in a row brought no peer closer than the closest known, the lookup has
 * converged and asks all of the k closest it has not asked yet at once (the paper's last round;
 * rust-libp2p's "stalled" state) instead of alpha at a time: those k are asked in any case, and
 * k/alpha round trips in a row would set most of a lookup's latency. A closer peer heard of
 * later returns it to alpha at a time.
 *
 * <p>Address diversity (eclipse resistance): among the k closest it waits for, at most
 * {@code maxPerSubnet} may share a /24 (IPv6 /64; loopback exempt). Sybils crowded around a
 * key from a few subnets, answering only with each other, then fill a few places of the
 * lookup's window, and it goes on to the honest nodes behind them.
 */
public final class Lookup {
    private static final byte FRESH = 0;
    private static final byte WAITING = 1;
    private static final byte STALLED = 2;
    private static final byte SUCCEEDED = 3;
    private static final byte FAILED = 4;
    private static final byte GAVE_UP = 5;
    private static final int INITIAL_CAPACITY = 64;

    private final NodeId target;
    private final int k;
    private final int alpha;
    private final NodeId self;
    private final int maxPerSubnet;
    /** Subnets of the window walked so far (scratch, reused). */
    private final int[] windowSubnets;
    private int windowSize;
    /**
     * Everyone heard of, closest to the target first, as parallel arrays (a lookup hears of a
     * few hundred peers, and finding one's place reads only the distance array): the address,
     * the first 64 bits of its distance to the target (most comparisons need nothing else),
     * its state, and the RPC hops it was heard of after (1 = a seed). Distances are unique, so
     * the order is also the index by id.
     */
    private PeerAddress[] addrs = new PeerAddress[INITIAL_CAPACITY];
    private long[] distances = new long[INITIAL_CAPACITY];
    private byte[] states = new byte[INITIAL_CAPACITY];
    private short[] hops = new short[INITIAL_CAPACITY];
    private int n;
    private int inFlight;
    private int queried;
    /** Answers in a row that brought no new closest peer; at alpha the lookup has converged. */
    private int noProgress;

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
        if (inFlight >= (noProgress >= alpha ? Math.max(k, alpha) : alpha)) {
            return null;
        }
        windowSize = 0;
        for (int i = 0; i < n; i++) {
            if (!inWindow(i)) {
                continue;
            }
            if (windowSize > k) {
                break;
            }
            if (states[i] == FRESH) {
                states[i] = WAITING;
                inFlight++;
                queried++;
                return addrs[i];
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
        for (int i = 0; i < n; i++) {
            if (states[i] == STALLED) {
                return false; // closer than the k-th: may still answer
            }
            if (!inWindow(i)) {
                continue;
            }
            if (windowSize > k) {
                break;
            }
            if (states[i] != SUCCEEDED) {
                return false;
            }
        }
        return true;
    }

    /** {@code peer} answered with {@code closer} contacts. */
    public void onSuccess(PeerAddress peer, List<PeerAddress> closer) {
        int c = find(peer);
        if (c < 0 || (states[c] != WAITING && states[c] != STALLED && states[c] != GAVE_UP)) {
            return;
        }
        if (states[c] == WAITING) {
            inFlight--;
        }
        states[c] = SUCCEEDED;
        int hop = hops[c] + 1;
        boolean progress = false;
        for (PeerAddress p : closer) {
            progress |= add(p, hop) == 0;
        }
        noProgress = progress ? 0 : noProgress + 1;
    }

    /** {@code peer} did not answer in time (or answered nonsense). */
    public void onFailure(PeerAddress peer) {
        int c = find(peer);
        if (c >= 0 && (states[c] == WAITING || states[c] == STALLED)) {
            if (states[c] == WAITING) {
                inFlight--;
            }
            states[c] = FAILED;
        }
    }

    /** {@code peer} is slow: stop counting it against alpha and ask another; a late answer still counts. */
    public void onStalled(PeerAddress peer) {
        int c = find(peer);
        if (c >= 0 && states[c] == WAITING) {
            states[c] = STALLED;
            inFlight--;
        }
    }

    /** A stalled {@code peer} is not waited for any longer: finish without it (a late answer still counts). */
    public void onGaveUp(PeerAddress peer) {
        int c = find(peer);
        if (c >= 0 && states[c] == STALLED) {
            states[c] = GAVE_UP;
        }
    }

    /** The up to k closest peers that answered, closest first. */
    public List<PeerAddress> closest() {
        List<PeerAddress> out = new ArrayList<>(k);
        windowSize = 0;
        for (int i = 0; i < n; i++) {
            if (states[i] == SUCCEEDED && inWindow(i)) {
                out.add(addrs[i]);
                if (out.size() == k) {
                    break;
                }
            }
        }
        return out;
    }

    /** RPC hops to the closest peer that answered (1 = a seed); 0 if none answered. */
    public int hops() {
        for (int i = 0; i < n; i++) {
            if (states[i] == SUCCEEDED) {
                return hops[i];
            }
        }
        return 0;
    }

    /** Requests sent so far. */
    public int queried() {
        return queried;
    }

    /** Adds a candidate heard of after {@code hop} hops; its place (0 = the closest), or -1 if not new. */
    private int add(PeerAddress p, int hop) {
        if (p == null || p.id() == null || p.id().equals(self)) {
            return -1;
        }
        int at = search(p);
        if (at >= 0) {
            return -1;
        }
        at = -at - 1;
        if (n == addrs.length) {
            int cap = n * 2;
            addrs = Arrays.copyOf(addrs, cap);
            distances = Arrays.copyOf(distances, cap);
            states = Arrays.copyOf(states, cap);
            hops = Arrays.copyOf(hops, cap);
        }
        int tail = n - at;
        System.arraycopy(addrs, at, addrs, at + 1, tail);
        System.arraycopy(distances, at, distances, at + 1, tail);
        System.arraycopy(states, at, states, at + 1, tail);
        System.arraycopy(hops, at, hops, at + 1, tail);
        addrs[at] = p;
        distances[at] = target.high64() ^ p.id().high64();
        states[at] = FRESH;
        hops[at] = (short) Math.min(hop, Short.MAX_VALUE);
        n++;
        return at;
    }

    /** Index of the candidate with {@code p}'s id, or -(insertion point) - 1 as {@code Arrays.binarySearch}. */
    private int search(PeerAddress p) {
        long d = target.high64() ^ p.id().high64();
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = Long.compareUnsigned(distances[mid], d);
            if (cmp == 0) {
                cmp = target.compareDistance(addrs[mid].id(), p.id());
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
     * Walking the candidates closest first: true if candidate {@code i} takes a place in the
     * window (it counts: it neither failed nor stalled, and its subnet has room), which then
     * grows by one; past k places, callers stop.
     */
    private boolean inWindow(int i) {
        if (states[i] == FAILED || states[i] == STALLED || states[i] == GAVE_UP) {
            return false;
        }
        int subnet = maxPerSubnet > 0 ? addrs[i].subnet() : PeerAddress.NO_SUBNET;
        if (subnet != PeerAddress.NO_SUBNET) {
            int same = 0;
            for (int w = 0; w < Math.min(windowSize, k); w++) {
                if (windowSubnets[w] == subnet && ++same >= maxPerSubnet) {
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

    private int find(PeerAddress peer) {
        return peer.id() == null ? -1 : search(peer);
    }
}
