package io.arborcast.core;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/**
 * A 160-bit Kademlia identifier (node id or channel id), compared by XOR distance.
 *
 * <p>Held as three primitive words so that a routing table of 100k simulated nodes
 * does not pay for a byte array per id. Bit 0 is the most significant bit.
 */
public final class NodeId implements Comparable<NodeId> {
    /** Number of bits in an id. */
    public static final int BITS = 160;
    /** Number of bytes in an id. */
    public static final int BYTES = BITS / 8;

    private final long hi;   // bits 0..63
    private final long mid;  // bits 64..127
    private final int lo;    // bits 128..159

    private NodeId(long hi, long mid, int lo) {
        this.hi = hi;
        this.mid = mid;
        this.lo = lo;
    }

    /** An id from exactly {@link #BYTES} big-endian bytes. */
    public static NodeId fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("node id needs " + BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new NodeId(readLong(bytes, 0), readLong(bytes, 8), (int) (readLong(bytes, 12)));
    }

    /** An id from the first {@link #BYTES} bytes of a longer array (e.g. a SHA-256 digest). */
    public static NodeId fromPrefix(byte[] bytes) {
        if (bytes.length < BYTES) {
            throw new IllegalArgumentException("need at least " + BYTES + " bytes");
        }
        return fromBytes(Arrays.copyOf(bytes, BYTES));
    }

    /** Parses 40 hex characters. */
    public static NodeId fromHex(String hex) {
        if (hex == null || hex.length() != BYTES * 2) {
            throw new IllegalArgumentException("node id must be " + BYTES * 2 + " hex characters");
        }
        try {
            return fromBytes(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node id is not hex: " + hex, e);
        }
    }

    /** A uniformly random id drawn from the given (seeded) generator. */
    public static NodeId random(Random random) {
        return new NodeId(random.nextLong(), random.nextLong(), random.nextInt());
    }

    /** The id at distance {@code distance} from this one: {@code this XOR distance}. */
    public NodeId xor(NodeId other) {
        return new NodeId(hi ^ other.hi, mid ^ other.mid, lo ^ other.lo);
    }

    /**
     * The k-bucket index of {@code other} relative to this id: the position of the highest
     * differing bit counted from the least significant end, 0..159; -1 if the ids are equal.
     * Bucket {@code i} holds ids at distance [2^i, 2^(i+1)).
     */
    public int bucketIndex(NodeId other) {
        long x = hi ^ other.hi;
        if (x != 0) {
            return 159 - Long.numberOfLeadingZeros(x);
        }
        x = mid ^ other.mid;
        if (x != 0) {
            return 95 - Long.numberOfLeadingZeros(x);
        }
        int y = lo ^ other.lo;
        if (y != 0) {
            return 31 - Integer.numberOfLeadingZeros(y);
        }
        return -1;
    }

    /**
     * Compares the XOR distances of {@code a} and {@code b} to this id, without allocating.
     * Negative when {@code a} is closer, zero when equal, positive when {@code b} is closer.
     */
    public int compareDistance(NodeId a, NodeId b) {
        int c = Long.compareUnsigned(hi ^ a.hi, hi ^ b.hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(mid ^ a.mid, mid ^ b.mid);
        if (c != 0) {
            return c;
        }
        return Integer.compareUnsigned(lo ^ a.lo, lo ^ b.lo);
    }

    /** Value of bit {@code index} (0 = most significant). */
    public boolean bit(int index) {
        if (index < 0 || index >= BITS) {
            throw new IndexOutOfBoundsException(index);
        }
        if (index < 64) {
            return (hi >>> (63 - index) & 1) != 0;
        }
        if (index < 128) {
            return (mid >>> (127 - index) & 1) != 0;
        }
        return (lo >>> (159 - index) & 1) != 0;
    }

    /** This id with bit {@code index} (0 = most significant) flipped. */
    public NodeId flipBit(int index) {
        if (index < 0 || index >= BITS) {
            throw new IndexOutOfBoundsException(index);
        }
        if (index < 64) {
            return new NodeId(hi ^ (1L << (63 - index)), mid, lo);
        }
        if (index < 128) {
            return new NodeId(hi, mid ^ (1L << (127 - index)), lo);
        }
        return new NodeId(hi, mid, lo ^ (1 << (159 - index)));
    }

    /**
     * A random id whose bucket index relative to this one is {@code bucket}: it shares the
     * bits above the bucket's bit, differs in that bit, and is random below it.
     */
    public NodeId randomInBucket(int bucket, Random random) {
        if (bucket < 0 || bucket >= BITS) {
            throw new IndexOutOfBoundsException(bucket);
        }
        NodeId r = random(random);
        int msbIndex = BITS - 1 - bucket; // bit position counted from the most significant
        byte[] mine = toBytes();
        byte[] out = r.toBytes();
        for (int i = 0; i < msbIndex; i++) {
            int byteIdx = i >>> 3;
            int mask = 0x80 >>> (i & 7);
            out[byteIdx] = (byte) ((out[byteIdx] & ~mask) | (mine[byteIdx] & mask));
        }
        int byteIdx = msbIndex >>> 3;
        int mask = 0x80 >>> (msbIndex & 7);
        out[byteIdx] = (byte) ((out[byteIdx] & ~mask) | (~mine[byteIdx] & mask));
        return fromBytes(out);
    }

    /** Bits 0..63 (most significant first), for code that keeps ids unboxed. */
    public long high64() {
        return hi;
    }

    /** Bits 64..127. */
    public long mid64() {
        return mid;
    }

    /** Bits 128..159. */
    public int low32() {
        return lo;
    }

    /** The big-endian bytes of this id. */
    public byte[] toBytes() {
        byte[] out = new byte[BYTES];
        writeLong(out, 0, hi);
        writeLong(out, 8, mid);
        out[16] = (byte) (lo >>> 24);
        out[17] = (byte) (lo >>> 16);
        out[18] = (byte) (lo >>> 8);
        out[19] = (byte) lo;
        return out;
    }

    /** 40 lower-case hex characters. */
    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** The first 8 hex characters, for logs. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    /** Orders ids as unsigned 160-bit numbers. */
    @Override
    public int compareTo(NodeId o) {
        int c = Long.compareUnsigned(hi, o.hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(mid, o.mid);
        return c != 0 ? c : Integer.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof NodeId n && n.hi == hi && n.mid == mid && n.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi) * 31 + Long.hashCode(mid) * 17 + lo;
    }

    @Override
    public String toString() {
        return toHex();
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    private static void writeLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
