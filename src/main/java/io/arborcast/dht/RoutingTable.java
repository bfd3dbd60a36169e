package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * Kademlia's 160 k-buckets. A bucket keeps live contacts least-recently-seen first; when it
 * is full a newcomer waits in the bucket's replacement cache while the least-recently-seen
 * contact, if it has been silent for a while, is pinged ({@link #observe} returns it); only a
 * contact that fails is evicted.
 * At most {@code maxPerIp} contacts of one IP address may share a bucket (loopback exempt).
 */
public final class RoutingTable {
    /** A known peer and what we know of its liveness. */
    public static final class Contact {
        PeerAddress address;
        // the id's words, unboxed: sorting a bucket by distance touches no other object
        final long hi;
        final long mid;
        final int lo;
        long lastSeen;
        int failures;
        boolean pinging;

        Contact(PeerAddress address, long lastSeen) {
            this.address = address;
            this.lastSeen = lastSeen;
            NodeId id = address.id();
            this.hi = id.high64();
            this.mid = id.mid64();
            this.lo = id.low32();
        }

        boolean is(NodeId id) {
            return hi == id.high64() && mid == id.mid64() && lo == id.low32();
        }

        public PeerAddress address() {
            return address;
        }

        public long lastSeen() {
            return lastSeen;
        }
    }

    private static final class Bucket {
        final ArrayList<Contact> live = new ArrayList<>(4);
        ArrayList<Contact> replacements;
        long lastTouched;
    }

    private final NodeId self;
    private final int k;
    private final int maxPerIp;
    private final int replacementCacheSize;
    private final long staleAfterMillis;
    private final Bucket[] buckets = new Bucket[NodeId.BITS];
    private int size;

    /**
     * @param staleAfterMillis a full bucket's oldest contact is pinged (to make room) only if it
     *                         has been silent this long; a recently seen one is known alive
     */
    public RoutingTable(NodeId self, int k, int maxPerIp, int replacementCacheSize, long staleAfterMillis) {
        this.self = self;
        this.k = k;
        this.maxPerIp = maxPerIp;
        this.replacementCacheSize = replacementCacheSize;
        this.staleAfterMillis = staleAfterMillis;
    }

    public NodeId self() {
        return self;
    }

    /** Number of live contacts. */
    public int size() {
        return size;
    }

    /**
     * Records that {@code peer} was just heard from. Returns the contact that should be pinged
     * before {@code peer} may replace it (the bucket is full), or null.
     */
    public PeerAddress observe(PeerAddress peer, long now) {
        NodeId id = peer.id();
        if (id == null || id.equals(self)) {
            return null;
        }
        int bi = self.bucketIndex(id);
        Bucket b = bucket(bi);
        b.lastTouched = now;
        ArrayList<Contact> live = b.live;
        for (int i = 0; i < live.size(); i++) {
            Contact c = live.get(i);
            if (c.is(id)) {
                if (!c.address.sameEndpoint(peer) && c.failures == 0) {
                    return null; // an id claimed from a new endpoint while the old one answers: ignore
                }
                c.address = peer;
                c.lastSeen = now;
                c.failures = 0;
                c.pinging = false;
                live.remove(i);
                live.add(c);
                return null;
            }
        }
        if (!ipAllowed(live, peer)) {
            return null;
        }
        if (live.size() < k) {
            live.add(new Contact(peer, now));
            size++;
            removeReplacement(b, id);
            return null;
        }
        addReplacement(b, peer, now);
        Contact oldest = live.get(0);
        if (oldest.pinging || now - oldest.lastSeen < staleAfterMillis) {
            return null;
        }
        oldest.pinging = true;
        return oldest.address;
    }

    /**
     * Records that {@code id} failed to answer. A contact that failed is replaced by the newest
     * replacement candidate if there is one; without a candidate it stays (Kademlia keeps stale
     * contacts rather than empty buckets) until it has failed {@code maxFailures} times.
     */
    public void onFailure(NodeId id, int maxFailures) {
        if (id == null || id.equals(self)) {
            return;
        }
        Bucket b = buckets[self.bucketIndex(id)];
        if (b == null) {
            return;
        }
        for (int i = 0; i < b.live.size(); i++) {
            Contact c = b.live.get(i);
            if (c.is(id)) {
                c.failures++;
                c.pinging = false;
                boolean hasReplacement = b.replacements != null && !b.replacements.isEmpty();
                if (hasReplacement || c.failures >= maxFailures) {
                    b.live.remove(i);
                    size--;
                    if (hasReplacement) {
                        Contact r = b.replacements.remove(b.replacements.size() - 1);
                        b.live.add(r);
                        size++;
                    }
                }
                return;
            }
        }
        removeReplacement(b, id);
    }

    /** True if {@code id} is a live contact. */
    public boolean contains(NodeId id) {
        Bucket b = id.equals(self) ? null : buckets[self.bucketIndex(id)];
        if (b != null) {
            for (Contact c : b.live) {
                if (c.is(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Up to {@code count} live contacts closest to {@code target} by XOR distance, closest first.
     * Visits buckets in increasing order of the distances they can hold, so it usually stops
     * after one or two buckets: with d = self XOR target and t its highest bit, bucket t comes
     * first, then buckets below t where d has a 1 (descending), then those where d has a 0
     * (ascending), then the buckets above t.
     */
    public List<PeerAddress> closest(NodeId target, int count) {
        ArrayList<PeerAddress> out = new ArrayList<>(count + 2 * k); // never grows: a bucket adds at most k
        NodeId d = self.xor(target);
        int t = self.bucketIndex(target); // -1 when target == self
        if (t >= 0 && collect(out, t, target, count)) {
            return trim(out, count);
        }
        for (int i = t - 1; i >= 0; i--) {
            if (d.bit(NodeId.BITS - 1 - i) && collect(out, i, target, count)) {
                return trim(out, count);
            }
        }
        for (int i = 0; i < t; i++) {
            if (!d.bit(NodeId.BITS - 1 - i) && collect(out, i, target, count)) {
                return trim(out, count);
            }
        }
        for (int i = t + 1; i < NodeId.BITS; i++) {
            if (collect(out, i, target, count)) {
                break;
            }
        }
        return trim(out, count);
    }

    /** Appends bucket {@code i} sorted by distance to {@code target}; true once {@code count} are collected. */
    private boolean collect(ArrayList<PeerAddress> out, int i, NodeId target, int count) {
        Bucket b = buckets[i];
        if (b != null) {
            ArrayList<Contact> live = b.live;
            int n = live.size();
            long th = target.high64();
            long tm = target.mid64();
            int tl = target.low32();
            Contact[] sorted = new Contact[n];
            for (int j = 0; j < n; j++) { // insertion sort: a bucket holds at most k contacts
                Contact c = live.get(j);
                int pos = j;
                while (pos > 0 && closer(c, sorted[pos - 1], th, tm, tl)) {
                    sorted[pos] = sorted[pos - 1];
                    pos--;
                }
                sorted[pos] = c;
            }
            for (Contact c : sorted) {
                out.add(c.address);
            }
        }
        return out.size() >= count;
    }

    private static boolean closer(Contact a, Contact b, long th, long tm, int tl) {
        int c = Long.compareUnsigned(a.hi ^ th, b.hi ^ th);
        if (c == 0) {
            c = Long.compareUnsigned(a.mid ^ tm, b.mid ^ tm);
            if (c == 0) {
                c = Integer.compareUnsigned(a.lo ^ tl, b.lo ^ tl);
            }
        }
        return c < 0;
    }

    private static List<PeerAddress> trim(ArrayList<PeerAddress> out, int count) {
        return out.size() > count ? new ArrayList<>(out.subList(0, count)) : out;
    }

    /** Index of the bucket of the closest contact, or -1 if the table is empty. */
    public int closestBucketIndex() {
        for (int i = 0; i < NodeId.BITS; i++) {
            if (buckets[i] != null && !buckets[i].live.isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    /** Indexes of non-empty buckets not touched since {@code before}. */
    public List<Integer> staleBuckets(long before) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < NodeId.BITS; i++) {
            Bucket b = buckets[i];
            if (b != null && !b.live.isEmpty() && b.lastTouched < before) {
                out.add(i);
            }
        }
        return out;
    }

    /** Marks bucket {@code index} as just refreshed. */
    public void touch(int index, long now) {
        bucket(index).lastTouched = now;
    }

    /** Every live contact (a copy). */
    public List<Contact> contacts() {
        List<Contact> out = new ArrayList<>(size);
        for (Bucket b : buckets) {
            if (b != null) {
                out.addAll(b.live);
            }
        }
        return out;
    }

    private Bucket bucket(int index) {
        Bucket b = buckets[index];
        if (b == null) {
            b = new Bucket();
            buckets[index] = b;
        }
        return b;
    }

    private boolean ipAllowed(List<Contact> live, PeerAddress peer) {
        if (maxPerIp <= 0 || isLoopback(peer.host())) {
            return true;
        }
        int same = 0;
        for (Contact c : live) {
            if (c.address.host().equals(peer.host()) && ++same >= maxPerIp) {
                return false;
            }
        }
        return true;
    }

    static boolean isLoopback(String host) {
        return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
    }

    private void addReplacement(Bucket b, PeerAddress peer, long now) {
        if (replacementCacheSize <= 0) {
            return;
        }
        if (b.replacements == null) {
            b.replacements = new ArrayList<>(2);
        }
        removeReplacement(b, peer.id());
        if (b.replacements.size() >= replacementCacheSize) {
            b.replacements.remove(0);
        }
        b.replacements.add(new Contact(peer, now));
    }

    private static void removeReplacement(Bucket b, NodeId id) {
        ArrayList<Contact> r = b.replacements;
        if (r != null) {
            for (int i = r.size() - 1; i >= 0; i--) {
                if (r.get(i).is(id)) {
                    r.remove(i);
                }
            }
        }
    }
}
