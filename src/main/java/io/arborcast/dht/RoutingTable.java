package io.arborcast.dht;

import java.util.Arrays;
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
    /** A known peer and when it was last heard from (a snapshot; a replacement candidate). */
    public record Contact(PeerAddress address, long lastSeen) {
    }

    /**
     * A bucket's live contacts, least-recently seen first, as parallel arrays with no object
     * per contact: the id prefix (for scans and sorts), the shared address, its subnet key
     * (the address-diversity scans compare ints), when it was last seen, and its failures with
     * the "being pinged" flag. Scanning or sorting a bucket reads a few contiguous arrays,
     * which is what dominates a 100k-node simulation, and a contact costs 25 bytes.
     */
    private static final class Bucket {
        private static final byte PINGING = (byte) 0x80;

        long[] his = new long[4];
        PeerAddress[] addrs = new PeerAddress[4];
        int[] subnets = new int[4];
        long[] lastSeen = new long[4];
        /** Failures since last heard (low 7 bits), {@link #PINGING} while a ping is out. */
        byte[] flags = new byte[4];
        int n;
        Replacements replacements;
        long lastTouched;

        int indexOf(NodeId id) {
            long h = id.high64();
            for (int i = 0; i < n; i++) {
                if (his[i] == h && addrs[i].id().equals(id)) {
                    return i;
                }
            }
            return -1;
        }

        int failures(int i) {
            return flags[i] & 0x7F;
        }

        boolean pinging(int i) {
            return (flags[i] & PINGING) != 0;
        }

        void append(PeerAddress address, long seen, int k) {
            if (n == his.length) {
                int cap = Math.max(n + 1, Math.min(n * 2, k)); // never more than k slots
                his = Arrays.copyOf(his, cap);
                addrs = Arrays.copyOf(addrs, cap);
                subnets = Arrays.copyOf(subnets, cap);
                lastSeen = Arrays.copyOf(lastSeen, cap);
                flags = Arrays.copyOf(flags, cap);
            }
            his[n] = address.id().high64();
            addrs[n] = address;
            subnets[n] = address.subnet();
            lastSeen[n] = seen;
            flags[n] = 0;
            n++;
        }

        void removeAt(int i) {
            int tail = n - i - 1;
            System.arraycopy(his, i + 1, his, i, tail);
            System.arraycopy(addrs, i + 1, addrs, i, tail);
            System.arraycopy(subnets, i + 1, subnets, i, tail);
            System.arraycopy(lastSeen, i + 1, lastSeen, i, tail);
            System.arraycopy(flags, i + 1, flags, i, tail);
            addrs[--n] = null;
        }

        /** Contact {@code i}, now heard from at {@code address}, moves to the most-recently-seen end. */
        void seen(int i, PeerAddress address, long now, int k) {
            removeAt(i);
            append(address, now, k);
        }
    }

    /** A sorted array of ints with repeats. */
    private static final class IntMultiset {
        private int[] values = new int[16];
        private int n;

        void add(int v) {
            int at = lowerBound(v);
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            System.arraycopy(values, at, values, at + 1, n - at);
            values[at] = v;
            n++;
        }

        void remove(int v) {
            int at = lowerBound(v);
            if (at < n && values[at] == v) {
                System.arraycopy(values, at + 1, values, at, n - at - 1);
                n--;
            }
        }

        /** True if {@code v} is held at least {@code times} times. */
        boolean holdsAtLeast(int v, int times) {
            int last = lowerBound(v) + times - 1;
            return last < n && values[last] == v;
        }

        private int lowerBound(int v) {
            int lo = 0;
            int hi = n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (values[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    private final NodeId self;
    private final int k;
    private final int maxPerIp;
    private final int maxPerSubnet;
    private final int replacementCacheSize;
    private final long staleAfterMillis;
    /**
     * Bucket i at [BITS - 1 - i], the array as long as the nearest bucket that exists needs: of
     * the 160 only the top log2(network size) or so ever hold anyone (a million tables in a
     * simulation would spend 0.6 KB each on empty slots).
     */
    private Bucket[] buckets = new Bucket[0];
    /** No bucket below this index exists: {@link #closest} need not visit the ~145 empty ones. */
    private int lowest = NodeId.BITS;
    private int size;
    /** The subnet keys of all live contacts: the table-wide quota is one binary search, not a scan of every bucket. */
    private final IntMultiset subnets = new IntMultiset();
    /**
     * Where {@link #closest} gathers buckets before copying out the closest: one allocation per
     * answer, and no per-table memory (100k tables in a simulation).
     */
    private static final ThreadLocal<ArrayList<PeerAddress>> SCRATCH = ThreadLocal.withInitial(ArrayList::new);

    /**
     * @param staleAfterMillis a full bucket's oldest contact is pinged (to make room) only if it
     *                         has been silent this long; a recently seen one is known alive
     */
    public RoutingTable(NodeId self, int k, int maxPerIp, int replacementCacheSize, long staleAfterMillis) {
        this(self, k, maxPerIp, 0, replacementCacheSize, staleAfterMillis);
    }

    /**
     * @param maxPerSubnet contacts of one /24 (IPv4) or /64 (IPv6) in the whole table; 0 = no limit
     * @param staleAfterMillis a full bucket's oldest contact is pinged (to make room) only if it
     *                         has been silent this long; a recently seen one is known alive
     */
    public RoutingTable(NodeId self, int k, int maxPerIp, int maxPerSubnet, int replacementCacheSize,
                        long staleAfterMillis) {
        this.self = self;
        this.k = k;
        this.maxPerIp = maxPerIp;
        this.maxPerSubnet = maxPerSubnet;
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
        int i = b.indexOf(id);
        if (i >= 0) {
            if (!b.addrs[i].sameEndpoint(peer) && b.failures(i) == 0) {
                return null; // an id claimed from a new endpoint while the old one answers: ignore
            }
            int oldSubnet = b.subnets[i];
            b.seen(i, peer, now, k);
            if (b.subnets[b.n - 1] != oldSubnet) {
                subnets.remove(oldSubnet);
                subnets.add(b.subnets[b.n - 1]);
            }
            return null;
        }
        if (b.n < k) {
            if (!ipAllowed(b, peer)) {
                return null;
            }
            admit(b, peer, now);
            removeReplacement(b, id);
            return null;
        }
        addReplacement(b, peer, now);
        if (b.pinging(0) || now - b.lastSeen[0] < staleAfterMillis) {
            return null;
        }
        b.flags[0] |= Bucket.PINGING;
        return b.addrs[0];
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
        Bucket b = at(self.bucketIndex(id));
        if (b == null) {
            return;
        }
        int i = b.indexOf(id);
        if (i < 0) {
            removeReplacement(b, id);
            return;
        }
        int failures = b.failures(i) + 1;
        b.flags[i] = (byte) Math.min(failures, 0x7F); // and no longer being pinged
        boolean hasReplacement = b.replacements != null && b.replacements.n > 0;
        if (hasReplacement || failures >= maxFailures) {
            evict(b, i);
            while (b.replacements != null && b.replacements.n > 0) { // newest first, within the address quotas
                Contact r = b.replacements.popNewest();
                if (ipAllowed(b, r.address())) {
                    admit(b, r.address(), r.lastSeen());
                    break;
                }
            }
        }
    }

    /** Makes {@code peer} a live contact of {@code b}, counted in the size and the subnet quota. */
    private void admit(Bucket b, PeerAddress peer, long seen) {
        b.append(peer, seen, k);
        subnets.add(peer.subnet());
        size++;
    }

    private void evict(Bucket b, int i) {
        subnets.remove(b.subnets[i]);
        b.removeAt(i);
        size--;
    }

    /** True if {@code id} is a live contact. */
    public boolean contains(NodeId id) {
        Bucket b = id.equals(self) ? null : at(self.bucketIndex(id));
        return b != null && b.indexOf(id) >= 0;
    }

    /**
     * The size of the whole network, estimated from how densely our {@code count} closest
     * contacts crowd around our own id: ids are uniform, so the i-th closest lies near i/N of
     * the id space; N is the least-squares fit of those distances. Good to a factor of about
     * 1.5 with k = 20. Knowing fewer than {@code count} contacts, we know everyone: the
     * network is them and us.
     */
    public long estimateNetworkSize(int count) {
        List<PeerAddress> near = closest(self, count);
        if (near.size() < count) {
            return near.size() + 1;
        }
        double sumSquares = 0;
        double sumWeighted = 0;
        for (int i = 0; i < near.size(); i++) {
            double share = (self.xor(near.get(i).id()).high64() >>> 11) * 0x1.0p-53; // distance / id space
            sumSquares += (double) (i + 1) * (i + 1);
            sumWeighted += (i + 1) * share;
        }
        return Math.round(sumSquares / Math.max(sumWeighted, 0x1.0p-53)) + 1;
    }

    /**
     * Up to {@code count} live contacts closest to {@code target} by XOR distance, closest first.
     * Visits buckets in increasing order of the distances they can hold, so it usually stops
     * after one or two buckets: with d = self XOR target and t its highest bit, bucket t comes
     * first, then buckets below t where d has a 1 (descending), then those where d has a 0
     * (ascending), then the buckets above t.
     */
    public List<PeerAddress> closest(NodeId target, int count) {
        ArrayList<PeerAddress> out = SCRATCH.get();
        out.clear();
        NodeId d = self.xor(target);
        int t = self.bucketIndex(target); // -1 when target == self
        if (t >= 0 && collect(out, t, target, count)) {
            return trim(out, count);
        }
        for (int i = t - 1; i >= lowest; i--) {
            if (d.bit(NodeId.BITS - 1 - i) && collect(out, i, target, count)) {
                return trim(out, count);
            }
        }
        for (int i = lowest; i < t; i++) {
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

    /**
     * Appends bucket {@code i} sorted by distance to {@code target}; true once {@code count} are
     * collected. Sorts on the 64-bit id prefixes held in the bucket; only equal prefixes (never
     * seen in practice) look at the full ids.
     */
    private boolean collect(ArrayList<PeerAddress> out, int i, NodeId target, int count) {
        Bucket b = at(i);
        if (b != null && b.n > 0) {
            int n = b.n;
            long th = target.high64();
            int[] order = new int[n];
            for (int j = 0; j < n; j++) { // insertion sort: a bucket holds at most k contacts
                int pos = j;
                while (pos > 0 && closer(b, j, order[pos - 1], th, target)) {
                    order[pos] = order[pos - 1];
                    pos--;
                }
                order[pos] = j;
            }
            for (int j : order) {
                out.add(b.addrs[j]);
            }
        }
        return out.size() >= count;
    }

    private static boolean closer(Bucket b, int x, int y, long th, NodeId target) {
        int c = Long.compareUnsigned(b.his[x] ^ th, b.his[y] ^ th);
        if (c != 0) {
            return c < 0;
        }
        return target.compareDistance(b.addrs[x].id(), b.addrs[y].id()) < 0;
    }

    /** The first {@code count} collected, as a list of its own (the scratch list is reused). */
    private static List<PeerAddress> trim(ArrayList<PeerAddress> out, int count) {
        return List.copyOf(out.size() > count ? out.subList(0, count) : out);
    }

    /** Index of the bucket of the closest contact, or -1 if the table is empty. */
    public int closestBucketIndex() {
        for (int i = lowest; i < NodeId.BITS; i++) {
            if (bucketSize(i) > 0) {
                return i;
            }
        }
        return -1;
    }

    /** Indexes of non-empty buckets not touched since {@code before}. */
    public List<Integer> staleBuckets(long before) {
        List<Integer> out = new ArrayList<>();
        for (int i = lowest; i < NodeId.BITS; i++) {
            Bucket b = at(i);
            if (b != null && b.n > 0 && b.lastTouched < before) {
                out.add(i);
            }
        }
        return out;
    }

    /** Live contacts in bucket {@code index}. */
    public int bucketSize(int index) {
        Bucket b = at(index);
        return b == null ? 0 : b.n;
    }

    /** Marks bucket {@code index} as just refreshed. */
    public void touch(int index, long now) {
        bucket(index).lastTouched = now;
    }

    /** Every live contact (a snapshot). */
    public List<Contact> contacts() {
        List<Contact> out = new ArrayList<>(size);
        for (int j = buckets.length - 1; j >= 0; j--) { // nearest bucket first, as always
            Bucket b = buckets[j];
            for (int i = 0; b != null && i < b.n; i++) {
                out.add(new Contact(b.addrs[i], b.lastSeen[i]));
            }
        }
        return out;
    }

    private Bucket at(int index) {
        int j = NodeId.BITS - 1 - index;
        return j < buckets.length ? buckets[j] : null;
    }

    private Bucket bucket(int index) {
        int j = NodeId.BITS - 1 - index;
        if (j >= buckets.length) {
            buckets = Arrays.copyOf(buckets, j + 1);
        }
        Bucket b = buckets[j];
        if (b == null) {
            b = new Bucket();
            buckets[j] = b;
            lowest = Math.min(lowest, index);
        }
        return b;
    }

    /** Eclipse resistance: at most {@code maxPerIp} of one IP in a bucket, {@code maxPerSubnet} of one subnet in all. */
    private boolean ipAllowed(Bucket b, PeerAddress peer) {
        int subnet = peer.subnet();
        if (subnet == PeerAddress.NO_SUBNET) {
            return true; // loopback
        }
        String host = peer.host();
        if (maxPerIp > 0) {
            int same = 0;
            for (int i = 0; i < b.n; i++) {
                if (b.subnets[i] == subnet && b.addrs[i].host().equals(host) && ++same >= maxPerIp) {
                    return false;
                }
            }
        }
        if (maxPerSubnet > 0 && subnets.holdsAtLeast(subnet, maxPerSubnet)) {
            return false;
        }
        return true;
    }

    private void addReplacement(Bucket b, PeerAddress peer, long now) {
        if (replacementCacheSize <= 0) {
            return;
        }
        if (b.replacements == null) {
            b.replacements = new Replacements(replacementCacheSize);
        }
        b.replacements.add(peer, now);
    }

    private static void removeReplacement(Bucket b, NodeId id) {
        if (b.replacements != null) {
            b.replacements.remove(id);
        }
    }

    /**
     * A bucket's replacement cache, oldest first, as parallel arrays: the id prefixes are
     * compared in one array, as every observation of a peer outside a full bucket checks it.
     */
    private static final class Replacements {
        final PeerAddress[] addrs;
        final long[] his;
        final long[] seen;
        int n;

        Replacements(int capacity) {
            addrs = new PeerAddress[capacity];
            his = new long[capacity];
            seen = new long[capacity];
        }

        /** Adds {@code peer} as the newest, dropping an older entry of it and, when full, the oldest. */
        void add(PeerAddress peer, long now) {
            remove(peer.id());
            if (n == addrs.length) {
                removeAt(0);
            }
            addrs[n] = peer;
            his[n] = peer.id().high64();
            seen[n] = now;
            n++;
        }

        void remove(NodeId id) {
            long h = id.high64();
            for (int i = n - 1; i >= 0; i--) {
                if (his[i] == h && addrs[i].id().equals(id)) {
                    removeAt(i);
                }
            }
        }

        Contact popNewest() {
            Contact c = new Contact(addrs[n - 1], seen[n - 1]);
            removeAt(n - 1);
            return c;
        }

        private void removeAt(int i) {
            int tail = n - i - 1;
            System.arraycopy(addrs, i + 1, addrs, i, tail);
            System.arraycopy(his, i + 1, his, i, tail);
            System.arraycopy(seen, i + 1, seen, i, tail);
            addrs[--n] = null;
        }
    }
}
